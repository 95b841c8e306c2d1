package dev.kiln.builder.engine;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.copy.CopyPlanner;
import dev.kiln.builder.engine.mount.CacheMounts;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.SnapshotOptions;
import dev.kiln.builder.snapshot.Snapshotter;
import dev.kiln.oci.layout.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every step of one build shares: stores, cache, runtime, listener, options, scratch space,
 * the directories of cache mounts (null when the build has no store for them).
 */
public record BuildServices(
        BlobStore blobs,
        LayerFiles files,
        Snapshotter snapshotter,
        BuildCache cache,
        RunExecutor runs,
        ImageSource images,
        BuildListener listener,
        BuildOptions options,
        BuildContext context,
        Path scratch,
        CopyPlanner.Downloader downloader,
        CacheMounts cacheMounts,
        AtomicLong counter) {

    /** A new empty directory under the build's scratch space. */
    public Path newDir(String prefix) {
        try {
            return Files.createDirectories(scratch.resolve(prefix + "-" + counter.incrementAndGet()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** In a {@link BuildOptions#cachedLayersOnly()} build, stops before {@code step} makes a layer. */
    public void beforeLayerWork(String step) {
        if (options.cachedLayersOnly()) {
            throw new CacheOnlyMiss(step);
        }
    }

    /** The time written into history entries: SOURCE_DATE_EPOCH or now. */
    public String now() {
        Instant t = options.sourceDateEpoch() != null ? options.sourceDateEpoch() : Instant.now();
        return dev.kiln.oci.ImageConfig.formatTime(t);
    }

    public SnapshotOptions snapshotOptions() {
        return SnapshotOptions.gzip().withCompression(options.compression()).withClampTime(options.sourceDateEpoch());
    }

    public boolean blobExists(dev.kiln.oci.Digest d) {
        try {
            return blobs.has(d);
        } catch (IOException e) {
            return false;
        }
    }
}
