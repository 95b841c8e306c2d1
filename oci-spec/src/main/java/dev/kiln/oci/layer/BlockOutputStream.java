package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Cuts what is written into blocks of a fixed size and hands each one on, whole, as it fills
 * ({@link #full}); {@link #close} hands on the rest, short or empty, to {@link #finish}, once. Each
 * block array is the subclass's to keep; a subclass done with the ones it was handed may give them
 * back through {@link #nextBlock}. {@link #flush} does nothing: blocks go out as they fill.
 */
abstract class BlockOutputStream extends OutputStream {
    private final int size;
    private byte[] block;
    private int filled;
    private boolean closed;

    BlockOutputStream(int size) {
        this.size = size;
        this.block = new byte[size];
    }

    /** The array to fill after a full block: a new one, unless the subclass has one it is done with. */
    byte[] nextBlock() {
        return new byte[size];
    }

    /** Takes a full block. */
    abstract void full(byte[] block) throws IOException;

    /** Takes the last block (possibly empty) and ends the stream: drains, writes trailers, closes. */
    abstract void finish(byte[] last) throws IOException;

    @Override
    public final void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream already closed");
        }
        while (len > 0) {
            int n = Math.min(len, size - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == size) {
                byte[] done = block;
                block = nextBlock();
                filled = 0;
                full(done);
            }
        }
    }

    @Override
    public final void flush() {}

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        byte[] last = Arrays.copyOf(block, filled);
        block = null;
        finish(last);
    }
}
