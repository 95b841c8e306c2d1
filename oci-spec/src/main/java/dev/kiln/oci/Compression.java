package dev.kiln.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdUtils;

/** How a layer blob is compressed. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** Whether the optional zstd-jni library is on the class path. */
    public static boolean zstdAvailable() {
        return ZstdUtils.isZstdCompressionAvailable();
    }

    /**
     * Guesses the compression from the first bytes (gzip {@code 1f 8b}, zstd {@code 28 b5 2f fd}).
     * The stream must support mark/reset.
     */
    public static Compression sniff(InputStream in) throws IOException {
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }

    /** A stream of the uncompressed bytes of {@code in}. */
    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 65536);
            case ZSTD -> {
                if (!zstdAvailable()) {
                    throw new KilnException("this layer is zstd-compressed, but zstd support is missing",
                            "put com.github.luben:zstd-jni on the class path", null);
                }
                yield new ZstdCompressorInputStream(in);
            }
        };
    }

    /** Decompresses whatever {@code in} turns out to hold, by its magic bytes. */
    public static InputStream autoDecompress(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 65536);
        return sniff(buffered).decompress(buffered);
    }
}
