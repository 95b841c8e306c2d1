package dev.kiln.builder.snapshot;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.BlobStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Makes layer blobs: tar (see {@link LayerTarWriter}) → compress → temp file, hashing the tar (the
 * diff ID) and the compressed bytes (the blob digest) as they stream, then moves the blob into a
 * {@link BlobStore}. Gzip output is byte-for-byte stable (no name, mtime 0 in its header), so the
 * same tree and options give the same digest.
 */
public final class Snapshotter {
    private final BlobStore store;
    private final Path scratch;

    /**
     * @param store   where layer blobs go
     * @param scratch a directory for temp files, on the store's filesystem if possible
     */
    public Snapshotter(BlobStore store, Path scratch) {
        this.store = store;
        this.scratch = scratch;
    }

    /** Writes the tree under {@code dir} as one layer and stores it. */
    public LayerBlob snapshot(Path dir, SnapshotOptions options) {
        try {
            Files.createDirectories(scratch);
            Path tmp = Files.createTempFile(scratch, "layer-", ".partial");
            try {
                DigestingOutputStream compressed;
                DigestingOutputStream plain;
                try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    compressed = new DigestingOutputStream(file);
                    OutputStream codec = compressor(options.compression(), new NonClosing(compressed));
                    plain = new DigestingOutputStream(codec);
                    LayerTarWriter.write(dir, options, plain);
                    plain.flush();
                    codec.close();
                }
                Digest blob = compressed.digest();
                try (InputStream in = Files.newInputStream(tmp)) {
                    store.put(in, blob, compressed.size());
                }
                return new LayerBlob(Descriptor.of(MediaType.ociLayer(options.compression()), blob, compressed.size()),
                        plain.digest());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new KilnException("cannot write a layer from " + dir + ": " + e.getMessage(), e);
        }
    }

    private static OutputStream compressor(Compression compression, OutputStream out) throws IOException {
        return switch (compression) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 1 << 16);
            case ZSTD -> {
                if (!Compression.zstdAvailable()) {
                    throw new KilnException("zstd compression is not available in this kiln",
                            "use --compression gzip, or put com.github.luben:zstd-jni on the class path", null);
                }
                yield new ZstdCompressorOutputStream(out, 3, true);
            }
        };
    }

    /** Lets the compressor finish without closing the file under it twice. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
