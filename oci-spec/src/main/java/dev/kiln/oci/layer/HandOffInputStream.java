package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code in} ahead on a thread of its own, in chunks through a small bounded queue, so that
 * the work inside {@code in} (inflating, hashing) and the reader's (parsing a tar, writing files)
 * each get a core, as {@code tar -z} does with its gzip process. The reader gets exactly the bytes
 * of {@code in}, in order; a failure of {@code in} is thrown to the reader, as it was, where it
 * happened in the stream (after every byte read before it). {@link #close} stops the worker and
 * waits for it; it does not close {@code in}, whose owner does once this stream is closed.
 */
final class HandOffInputStream extends InputStream {
    private static final int CHUNK = 1 << 18;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
    private final Thread worker;
    private volatile Throwable failure;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    HandOffInputStream(InputStream in) {
        worker = new Thread(() -> fill(in), "kiln-layer-inflate");
        worker.setDaemon(true);
        worker.start();
    }

    private void fill(InputStream in) {
        byte[] chunk = new byte[CHUNK];
        int filled = 0;
        try {
            for (int n; !closed && (n = in.read(chunk, filled, CHUNK - filled)) >= 0; ) {
                filled += n;
                if (filled == CHUNK) {
                    if (!put(chunk)) {
                        return;
                    }
                    chunk = new byte[CHUNK];
                    filled = 0;
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        if (filled > 0 && !put(java.util.Arrays.copyOf(chunk, filled))) {
            return;
        }
        put(END);
    }

    /** Queues {@code chunk}, waiting for room; false when the reader closed the stream meanwhile. */
    private boolean put(byte[] chunk) {
        try {
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            return false; // only close() interrupts the worker
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position == current.length && !next()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    /** Moves to the next chunk; false at the end of {@code in}; throws its failure there. */
    private boolean next() throws IOException {
        if (!ended) {
            try {
                byte[] chunk = queue.take();
                if (chunk != END) {
                    current = chunk;
                    position = 0;
                    return true;
                }
                ended = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new InterruptedIOException("interrupted while reading a layer");
            }
        }
        Throwable t = failure;
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        worker.interrupt();
        queue.clear();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping a layer's reader");
        }
    }
}
