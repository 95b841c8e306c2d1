package dev.kiln.builder.store;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code kiln system prune} removes from a store, as {@code docker system prune} does: blobs
 * no image or cache entry reaches, cache entries that could only miss, extracted layers
 * ({@code layers/<diffID>} and their listings) no remaining image or cache entry uses, and temp
 * files; with {@code all}, also every image no running container uses and the whole cache.
 * Extracted layers may hold files of subordinate ids: run it inside kiln's user namespace.
 */
public final class StorePruner {
    private final LocalStore store;
    private final Path layers;

    public StorePruner(LocalStore store) {
        this.store = store;
        this.layers = store.layout().layers();
    }

    /** What one prune removed. */
    public record Result(List<String> untagged, int cacheEntries, int blobs, int layerDirs, long bytes) {}

    /** True when the store holds extracted layers or temp files, whose removal may need the namespace. */
    public boolean hasExtractedFiles() {
        return nonEmpty(layers) || nonEmpty(store.layout().tmp());
    }

    /** How many extracted layers no named image uses (a prune removes them unless the cache uses them). */
    public int unusedLayerDirs() {
        if (!Files.isDirectory(layers)) {
            return 0;
        }
        Set<String> used = new HashSet<>();
        for (ImageRecord r : store.images()) {
            diffIds(r).forEach(d -> used.add(d.hex()));
        }
        try (Stream<Path> entries = Files.list(layers)) {
            return (int) entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !used.contains(StoreLayout.layerEntry(p).map(StoreLayout.LayerEntry::diffIdHex)
                            .orElse(p.getFileName().toString())))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * @param all also remove every image not in {@code inUse} and every cache entry
     * @param inUse names of the images running containers use; kept with their layers
     * @param keepLayers keep every extracted layer (some running container's layers are unknown)
     * @throws KilnException when another kiln is using the store, or a file cannot be removed
     */
    public Result prune(boolean all, Set<String> inUse, boolean keepLayers) {
        LocalStore.Maintenance maintenance = store.maintenance().orElseThrow(() -> new KilnException(
                "another kiln is using the store " + store.root(), "try again when it has finished", null));
        try (maintenance) {
            List<String> untagged = new ArrayList<>();
            if (all) {
                for (ImageRecord r : store.images()) {
                    if (!inUse.contains(r.name()) && store.removeImage(r.name())) {
                        untagged.add(r.name());
                    }
                }
            }
            BuildCache.Pruned cache = new BuildCache(store.layout().cache()).prune(all, store::hasBlob);
            Set<Digest> cacheBlobs = new HashSet<>();
            Set<String> keptDiffIds = new HashSet<>();
            cache.kept().forEach(l -> {
                cacheBlobs.add(l.descriptor().digest());
                keptDiffIds.add(l.diffId().hex());
            });
            LocalStore.Collected collected = maintenance.collect(cacheBlobs);
            for (ImageRecord r : store.images()) {
                diffIds(r).forEach(d -> keptDiffIds.add(d.hex()));
            }
            Removed dirs = keepLayers ? new Removed(0, 0) : removeLayers(keptDiffIds);
            return new Result(untagged, cache.removed(), collected.blobs(), dirs.count(),
                    collected.bytes() + dirs.bytes());
        }
    }

    private List<Digest> diffIds(ImageRecord r) {
        try {
            Manifest m = store.manifest(r).manifest().value();
            return Json.parseConfig(store.readBlob(m.config().digest())).value().rootfs().diffIds();
        } catch (KilnException broken) {
            return List.of();
        }
    }

    private record Removed(int count, long bytes) {}

    /** Removes {@code layers/<hex>} and {@code <hex>.listing} not in {@code keep}, and dead extractions. */
    private Removed removeLayers(Set<String> keep) {
        if (!Files.isDirectory(layers)) {
            return new Removed(0, 0);
        }
        int removed = 0;
        long bytes = 0;
        try (Stream<Path> entries = Files.list(layers)) {
            for (Path p : entries.toList()) {
                Optional<StoreLayout.LayerEntry> entry = StoreLayout.layerEntry(p);
                if (entry.isPresent() && keep.contains(entry.get().diffIdHex())) {
                    continue;
                }
                boolean extracted = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                bytes += sizeOf(p);
                FileTrees.deleteQuietly(p);
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new KilnException("cannot remove " + p + " (files of subordinate ids can only be"
                            + " removed inside kiln's user namespace)",
                            "check that /etc/subuid and /etc/subgid have a range for this user, then run "
                                    + "kiln system prune again (or: kiln unshare rm -rf " + p + ")", null);
                }
                if (extracted) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot list " + layers + ": " + e.getMessage(), e);
        }
        return new Removed(removed, bytes);
    }

    private static long sizeOf(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean nonEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
