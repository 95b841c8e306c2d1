package dev.kiln.builder.registry;

import dev.kiln.builder.progress.ProgressListener;

/**
 * How a command or build moves images, whatever the source and destination: the registries it
 * talks to, where transfer progress goes, how many blobs move at once and above which size a blob
 * is uploaded in chunks of that size.
 *
 * @param parallelism at least 1 (a smaller number means 1)
 * @param chunkSize   0 or less means {@link #DEFAULT_CHUNK_SIZE}
 */
public record TransferSettings(Registries registries, ProgressListener progress, int parallelism, int chunkSize) {
    /** Blobs above this size are uploaded in chunks of the same size. */
    public static final int DEFAULT_CHUNK_SIZE = 32 << 20;

    public TransferSettings {
        parallelism = Math.max(1, parallelism);
        chunkSize = chunkSize > 0 ? chunkSize : DEFAULT_CHUNK_SIZE;
    }

    /** These settings, reporting to {@code progress} instead. */
    public TransferSettings withProgress(ProgressListener progress) {
        return new TransferSettings(registries, progress, parallelism, chunkSize);
    }
}
