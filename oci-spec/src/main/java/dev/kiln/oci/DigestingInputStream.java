package dev.kiln.oci;

import java.io.IOException;
import java.io.InputStream;

/**
 * Digests and counts the bytes read through it. {@link #digest()} is valid once the stream has been
 * read to its end; {@link #verify} checks the result against an expected digest and size.
 */
public final class DigestingInputStream extends ChunkReadInputStream {
    private final Digester digester;

    public DigestingInputStream(InputStream in) {
        this(in, Digester.sha256());
    }

    public DigestingInputStream(InputStream in, Digester digester) {
        super(in);
        this.digester = digester;
    }

    /** A stream that digests with the algorithm of {@code expected}. */
    public static DigestingInputStream forVerifying(InputStream in, Digest expected) {
        return new DigestingInputStream(in, Digester.of(expected.algorithm()));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digester.update(b, off, n);
        }
        return n;
    }

    /** Bytes read so far. */
    public long size() {
        return digester.size();
    }

    /** The digest of everything read; finishes the hash on first call. */
    public Digest digest() {
        return digester.digest();
    }

    /**
     * Reads any remaining bytes, then throws {@link DigestMismatchException} unless the content
     * matches. {@code expectedSize} below zero means unknown.
     */
    public void verify(String what, Digest expected, long expectedSize) throws IOException {
        byte[] buf = new byte[8192];
        while (read(buf, 0, buf.length) >= 0) {
            // drain: the bytes only feed the digest
        }
        if (expectedSize >= 0 && size() != expectedSize) {
            throw new DigestMismatchException(what, expected, expectedSize, size());
        }
        Digest actual = digest();
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(what, expected, actual);
        }
    }
}
