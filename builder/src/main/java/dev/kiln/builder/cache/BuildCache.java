package dev.kiln.builder.cache;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Step results by {@link CacheKey}, one JSON file each, {@code <xx>/<key>.json} under the store's
 * cache directory (this class alone knows what is inside it). A file is
 * written to a temp name and renamed into place, so readers see a whole entry or none; two
 * processes writing the same key write the same content. An entry whose layer blobs are gone (the
 * store was garbage-collected) is a miss.
 */
public final class BuildCache {
    private static final System.Logger LOG = System.getLogger(BuildCache.class.getName());
    private static final String ENTRY = ".json";
    private final Path dir;

    /** What a step produced: the image config after it and the image's layers after it. */
    public record Entry(@JsonProperty("config") ImageConfig config, @JsonProperty("layers") List<LayerBlob> layers) {
        public Entry {
            layers = List.copyOf(layers);
        }
    }

    /** @param dir the store's cache directory ({@code StoreLayout.cache()}) */
    public BuildCache(Path dir) {
        this.dir = dir;
    }

    private Path file(CacheKey key) {
        return dir.resolve(key.hex().substring(0, 2)).resolve(key.hex() + ENTRY);
    }

    private static boolean isEntry(Path f) {
        return f.getFileName().toString().endsWith(ENTRY);
    }

    /** The entry for {@code key} if present, readable and all its layer blobs exist. */
    public Optional<Entry> get(CacheKey key, Predicate<Digest> blobExists) {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            Entry e = Json.mapper().readValue(Files.readAllBytes(f), Entry.class);
            for (LayerBlob l : e.layers()) {
                if (!blobExists.test(l.descriptor().digest())) {
                    return Optional.empty();
                }
            }
            return Optional.of(e);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "ignoring unreadable cache entry {0}: {1}", f, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Removes entries: all of them, or ({@code all} false) those that are unreadable or whose layer
     * blobs are gone, which could only ever miss.
     */
    public Pruned prune(boolean all, Predicate<Digest> blobExists) {
        Set<LayerBlob> kept = new HashSet<>();
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return new Pruned(removed, kept);
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Optional<Entry> entry = all || !isEntry(f) ? Optional.empty() : read(f)
                        .filter(e -> e.layers().stream().allMatch(l -> blobExists.test(l.descriptor().digest())));
                if (entry.isPresent()) {
                    kept.addAll(entry.get().layers());
                } else if (Files.deleteIfExists(f) && isEntry(f)) {
                    removed++;
                }
            }
            try (Stream<Path> subdirs = Files.list(dir)) {
                for (Path d : subdirs.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> left = Files.list(d)) {
                        if (left.findAny().isEmpty()) {
                            Files.deleteIfExists(d);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot prune the build cache in " + dir + ": " + e.getMessage(), e);
        }
        return new Pruned(removed, kept);
    }

    /** What {@link #prune} did: entries removed, and the layers of those that remain. */
    public record Pruned(int removed, Set<LayerBlob> kept) {}

    /** What {@link #check} found: how many entries, which are unreadable, and files that are no entry. */
    public record Check(int entries, List<Path> unreadable, List<Path> leftovers) {
        public Check {
            unreadable = List.copyOf(unreadable);
            leftovers = List.copyOf(leftovers);
        }
    }

    /**
     * Reads every entry, changing nothing. Files that are no entry (a write cut short under its
     * temp name) are leftovers, which {@link #prune} removes.
     */
    public Check check() {
        int entries = 0;
        List<Path> unreadable = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Check(0, unreadable, leftovers);
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                if (!isEntry(f)) {
                    leftovers.add(f);
                    continue;
                }
                entries++;
                if (read(f).isEmpty()) {
                    unreadable.add(f);
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot read the build cache in " + dir + ": " + e.getMessage(), e);
        }
        return new Check(entries, unreadable, leftovers);
    }

    /** The entry in cache file {@code f}, or empty if it cannot be read. */
    private static Optional<Entry> read(Path f) {
        try {
            return Optional.of(Json.mapper().readValue(Files.readAllBytes(f), Entry.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Stores {@code entry} under {@code key}; failures are logged, never fatal. */
    public void put(CacheKey key, Entry entry) {
        Path f = file(key);
        try {
            AtomicFiles.write(f, Json.write(entry), f.getParent());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write cache entry {0}: {1}", f, e.getMessage());
        }
    }
}
