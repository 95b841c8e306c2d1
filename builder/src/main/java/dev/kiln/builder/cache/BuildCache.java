package dev.kiln.builder.cache;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Step results by {@link CacheKey}, one JSON file each under {@code <store>/cache/}. A file is
 * written to a temp name and renamed into place, so readers see a whole entry or none; two
 * processes writing the same key write the same content. An entry whose layer blobs are gone (the
 * store was garbage-collected) is a miss.
 */
public final class BuildCache {
    private static final System.Logger LOG = System.getLogger(BuildCache.class.getName());
    private final Path dir;

    /** What a step produced: the image config after it and the image's layers after it. */
    public record Entry(@JsonProperty("config") ImageConfig config, @JsonProperty("layers") List<LayerBlob> layers) {
        public Entry {
            layers = List.copyOf(layers);
        }
    }

    public BuildCache(Path dir) {
        this.dir = dir;
    }

    /** The cache of the store at {@code storeRoot}. */
    public static BuildCache inStore(Path storeRoot) {
        return new BuildCache(storeRoot.resolve("cache"));
    }

    private Path file(CacheKey key) {
        return dir.resolve(key.hex().substring(0, 2)).resolve(key.hex() + ".json");
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

    /** Stores {@code entry} under {@code key}; failures are logged, never fatal. */
    public void put(CacheKey key, Entry entry) {
        Path f = file(key);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".entry-", ".tmp");
            try {
                Files.write(tmp, Json.write(entry));
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write cache entry {0}: {1}", f, e.getMessage());
        }
    }
}
