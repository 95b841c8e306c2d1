package dev.kiln.builder.store;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the whole store and says what is wrong with it, changing nothing: blobs whose bytes do not
 * hash to their names (zero-length and truncated ones included), named images whose manifest,
 * config or layers are missing or damaged, unreadable image index or cache entries. Leftovers of
 * interrupted runs (temp files, half-extracted layers under temp names) are listed apart: they are
 * never mistaken for data and {@code kiln system prune} removes them.
 */
public final class StoreChecker {
    private final LocalStore store;

    public StoreChecker(LocalStore store) {
        this.store = store;
    }

    /** What {@link #check} found. */
    public record Report(int blobs, int images, int layerDirs, int cacheEntries, List<String> problems,
                         List<String> leftovers) {
        public Report {
            problems = List.copyOf(problems);
            leftovers = List.copyOf(leftovers);
        }

        public boolean clean() {
            return problems.isEmpty();
        }
    }

    public Report check() {
        List<String> problems = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        int blobs = checkBlobs(problems, leftovers);
        int images = checkImages(problems);
        int layerDirs = checkLayers(leftovers);
        int cache = checkCache(problems, leftovers);
        for (Path p : list(store.layout().tmp())) {
            leftovers.add(relative(p));
        }
        return new Report(blobs, images, layerDirs, cache, problems, leftovers);
    }

    private int checkBlobs(List<String> problems, List<String> leftovers) {
        int count = 0;
        for (Path alg : list(store.layout().blobs())) {
            String algName = alg.getFileName().toString();
            if (algName.startsWith(".")) {
                list(alg).forEach(p -> leftovers.add(relative(p)));
                continue;
            }
            for (Path file : list(alg)) {
                count++;
                Digest name;
                try {
                    name = new Digest(algName, file.getFileName().toString());
                } catch (RuntimeException e) {
                    problems.add(relative(file) + ": not a blob name");
                    continue;
                }
                try (InputStream in = Files.newInputStream(file);
                        DigestingInputStream d = new DigestingInputStream(in, Digester.of(name.algorithm()))) {
                    d.transferTo(OutputStream.nullOutputStream());
                    if (!d.digest().equals(name)) {
                        problems.add("blob " + name + " is damaged: " + d.size() + " bytes that hash to " + d.digest());
                    }
                } catch (IOException | KilnException e) {
                    problems.add("blob " + name + " cannot be read: " + e.getMessage());
                }
            }
        }
        return count;
    }

    private int checkImages(List<String> problems) {
        List<ImageRecord> images;
        try {
            images = store.images();
        } catch (KilnException e) {
            problems.add(e.getMessage());
            return 0;
        }
        for (ImageRecord r : images) {
            List<Digest> missing = new ArrayList<>();
            if (!store.blobs().has(r.manifest())) {
                missing.add(r.manifest());
            } else if (!r.mediaType().isIndex()) {
                try {
                    Manifest m = Json.read(Files.readAllBytes(store.blobPath(r.manifest())), Manifest.class);
                    List<Descriptor> blobs = new ArrayList<>(m.layers());
                    blobs.add(m.config());
                    for (Descriptor d : blobs) {
                        if (!d.mediaType().isNondistributable() && !Files.isRegularFile(store.blobPath(d.digest()))) {
                            missing.add(d.digest());
                        }
                    }
                } catch (IOException | KilnException e) {
                    problems.add("image " + r.name() + ": " + e.getMessage());
                }
            }
            if (!missing.isEmpty()) {
                problems.add("image " + r.name() + " lacks " + missing);
            }
        }
        return images.size();
    }

    private int checkLayers(List<String> leftovers) {
        int count = 0;
        for (Path p : list(store.layout().layers())) {
            Optional<StoreLayout.LayerEntry> entry = StoreLayout.layerEntry(p);
            boolean layerDir = entry.isPresent() && !entry.get().listing() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            boolean listing = entry.isPresent() && entry.get().listing() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
            if (layerDir) {
                count++;
            } else if (!listing) {
                leftovers.add(relative(p));
            }
        }
        return count;
    }

    private int checkCache(List<String> problems, List<String> leftovers) {
        BuildCache.Check cache = new BuildCache(store.layout().cache()).check();
        cache.leftovers().forEach(f -> leftovers.add(relative(f)));
        cache.unreadable().forEach(f -> problems.add("build cache entry " + relative(f) + " is unreadable"));
        return cache.entries();
    }

    private String relative(Path p) {
        return store.root().relativize(p).toString();
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new KilnException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
