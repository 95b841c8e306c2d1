package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Passes the bytes written to it, in order and in chunks, to {@code out} on a thread of its own,
 * so that the writer (reading files, making tar headers, hashing) and the compressor behind
 * {@code out} each get a core. The bytes reaching {@code out} are exactly those written, so the
 * output does not depend on the timing. {@link #close} waits for the worker, closes {@code out}
 * and throws the worker's failure (as an IOException with its message); a failure also stops the
 * writer at its next write. The chunks the worker has written are filled again (so {@code out} must
 * not keep an array past its write, as no OutputStream does): the bytes passing make no garbage,
 * where a new chunk each time made a 200 MB layer cost 200 MB of it.
 */
final class HandOffOutputStream extends BlockOutputStream {
    private static final int CHUNK = 1 << 18;
    private static final byte[] END = new byte[0];
    private static final int QUEUED = 4;

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED);
    /**
     * Whole chunks the worker has written, for the writer to fill again. There are at most seven
     * (the one being handed on, the next, the queued, the worker's), one of them the writer's.
     */
    private final BlockingQueue<byte[]> written = new ArrayBlockingQueue<>(QUEUED + 2);
    private final Thread worker;
    private volatile Throwable failure;

    HandOffOutputStream(OutputStream out) {
        super(CHUNK);
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
                if (b.length == CHUNK) {
                    written.offer(b);
                }
            }
        } catch (Throwable t) {
            failure = t;
            queue.clear(); // unblocks a waiting writer, which then sees the failure
        }
    }

    @Override
    byte[] nextBlock() {
        byte[] chunk = written.poll();
        return chunk != null ? chunk : super.nextBlock();
    }

    @Override
    void full(byte[] chunk) throws IOException {
        put(chunk);
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

    /** Hands the rest and the end to the worker and waits for it. */
    @Override
    void finish(byte[] last) throws IOException {
        if (last.length > 0) {
            put(last);
        }
        put(END);
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            throw new InterruptedIOException("interrupted while finishing a layer");
        }
        checkWorker();
    }
}
