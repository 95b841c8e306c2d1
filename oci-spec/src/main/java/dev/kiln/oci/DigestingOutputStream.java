package dev.kiln.oci;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Digests and counts the bytes written through it. */
public final class DigestingOutputStream extends FilterOutputStream {
    private final Digester digester;

    public DigestingOutputStream(OutputStream out) {
        this(out, Digester.sha256());
    }

    public DigestingOutputStream(OutputStream out, Digester digester) {
        super(out);
        this.digester = digester;
    }

    /** A stream that only digests, writing nowhere. */
    public static DigestingOutputStream nullSink() {
        return new DigestingOutputStream(OutputStream.nullOutputStream());
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digester.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digester.update(b, off, len);
    }

    /** Bytes written so far. */
    public long size() {
        return digester.size();
    }

    /** The digest of everything written; finishes the hash on first call. */
    public Digest digest() {
        return digester.digest();
    }
}
