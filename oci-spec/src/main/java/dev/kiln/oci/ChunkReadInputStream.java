package dev.kiln.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter whose rule (digest, count, check, time out) is written once, in
 * {@link #read(byte[], int, int)}: the one-byte {@link #read()} and {@link #skip} go through it,
 * where {@link FilterInputStream} would pass them to the stream below, past the rule. Mark and
 * reset are not offered: a reset would feed the rule the same bytes twice.
 */
public abstract class ChunkReadInputStream extends FilterInputStream {
    protected ChunkReadInputStream(InputStream in) {
        super(in);
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    /** Reads and drops up to {@code n} bytes, so that they pass the rule too. */
    @Override
    public final long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public final boolean markSupported() {
        return false;
    }

    @Override
    public final synchronized void mark(int readlimit) {
        // not supported
    }

    @Override
    public final synchronized void reset() throws IOException {
        throw new IOException("reset not supported: " + getClass().getSimpleName() + " reads each byte once");
    }
}
