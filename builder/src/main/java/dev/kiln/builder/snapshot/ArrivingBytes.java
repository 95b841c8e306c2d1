package dev.kiln.builder.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blob's bytes passed from the thread that downloads them to the thread that reads them, through
 * a small bounded queue: a writer faster than the reader waits for room (so a download runs at
 * the pace of its extraction, holding at most {@link #CAPACITY} chunks). The reader gets the bytes
 * in order and then the end; after {@link #abandon} it gets an IOException, and the writer's
 * bytes are dropped.
 */
final class ArrivingBytes extends InputStream {
    private static final int CAPACITY = 32;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private volatile boolean abandoned;
    private byte[] current = END;
    private int position;
    private boolean ended;

    /**
     * Queues a copy of {@code b[off, off + len)}, waiting for room. False (and nothing queued)
     * once the pipe is {@linkplain #abandon abandoned} or the waiting thread is interrupted (its
     * interrupt status is kept).
     */
    boolean offer(byte[] b, int off, int len) {
        return len == 0 || put(Arrays.copyOfRange(b, off, off + len));
    }

    /** Marks the end of the bytes; false as for {@link #offer}. */
    boolean end() {
        return put(END);
    }

    /** Stops both sides: the reader fails at its next read, later offers are dropped. */
    void abandon() {
        abandoned = true;
        queue.clear();
    }

    private boolean put(byte[] chunk) {
        try {
            while (!abandoned) {
                if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == current.length) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    private void next() throws IOException {
        try {
            byte[] chunk = null;
            while (chunk == null) {
                if (abandoned) {
                    throw new IOException("the download was abandoned");
                }
                chunk = queue.poll(100, TimeUnit.MILLISECONDS);
            }
            if (abandoned) {
                throw new IOException("the download was abandoned");
            }
            ended = chunk == END;
            current = chunk;
            position = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a download");
        }
    }
}
