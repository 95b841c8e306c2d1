package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Passes the bytes written to it, in order and in chunks, to {@code out} on a thread of its own,
 * so that the writer (reading files, making tar headers, hashing) and the compressor behind
 * {@code out} each get a core. The bytes reaching {@code out} are exactly those written, so the
 * output does not depend on the timing. {@link #close} waits for the worker, closes {@code out}
 * and throws the worker's failure (as an IOException with its message); a failure also stops the
 * writer at its next write.
 */
final class HandOffOutputStream extends OutputStream {
    private static final int CHUNK = 1 << 18;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
    private final Thread worker;
    private volatile Throwable failure;
    private byte[] chunk = new byte[CHUNK];
    private int filled;
    private boolean closed;

    HandOffOutputStream(OutputStream out) {
        worker = new Thread(() -> drain(out), "kiln-layer-compress");
        worker.setDaemon(true);
        worker.start();
    }

    private void drain(OutputStream out) {
        try (out) {
            while (true) {
                byte[] b = queue.take();
                if (b == END) {
                    break;
                }
                out.write(b, 0, b.length);
            }
        } catch (Throwable t) {
            failure = t;
            queue.clear(); // unblocks a waiting writer, which then sees the failure
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == chunk.length) {
            pass(false);
        }
        chunk[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == chunk.length) {
                pass(false);
            }
            int n = Math.min(len, chunk.length - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Hands the filled part of the chunk (and, when {@code last}, the end) to the worker. */
    private void pass(boolean last) throws IOException {
        if (filled > 0) {
            byte[] full = filled == chunk.length ? chunk : Arrays.copyOf(chunk, filled);
            put(full);
            chunk = new byte[CHUNK];
            filled = 0;
        }
        if (last) {
            put(END);
        }
    }

    private void put(byte[] b) throws IOException {
        try {
            while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
                checkWorker();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            throw new InterruptedIOException("interrupted while writing a layer");
        }
        checkWorker();
    }

    /** Throws the worker's failure, each time as a new exception (a writer may meet it twice). */
    private void checkWorker() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw new IOException(t.getMessage(), t);
        }
    }

    /** Nothing to do: chunks go out when full, and all of them at {@link #close}. */
    @Override
    public void flush() {}

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            pass(true);
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            throw new InterruptedIOException("interrupted while finishing a layer");
        }
        checkWorker();
    }
}
