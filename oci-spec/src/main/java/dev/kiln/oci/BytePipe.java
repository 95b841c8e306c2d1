package dev.kiln.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Bytes passed from one thread to another, read as an InputStream: a writing thread {@linkplain
 * #write writes} them (a download), or a thread of the pipe's own {@linkplain #readingAhead reads
 * them ahead} from a source (inflating and hashing a layer), and the reading thread gets them in
 * order, then the end, or the source's failure where it happened (after every byte before it).
 * The bytes travel in at most {@code chunks} chunks of {@code chunkSize} bytes, made as needed
 * and then used again: a writer faster than the reader waits for a chunk the reader has emptied,
 * so it runs at the reader's pace, memory stays bounded, and the bytes passing make no garbage
 * (a layer's hundreds of megabytes once cost the build dozens of collections). Either side may
 * {@linkplain #abandon abandon} the pipe: the reader then fails at its next read with an
 * IOException, even with bytes still queued, and the writer's bytes are dropped. {@link #close}
 * abandons it and stops (and waits for) the reading-ahead thread. The writing calls ({@link
 * #write}, {@link #end}, {@link #fail}) are one writer's: they may come from different threads
 * only one after the other (a download's thread, then whoever waited for it); {@link #abandon}
 * may come from any thread at any time; the reading calls are one thread's.
 */
public final class BytePipe extends InputStream {
    /** A chunk of bytes in the pipe, or the end ({@link #END}), or a failure of the source. */
    private static final class Chunk {
        final byte[] bytes;
        final Throwable failure;
        int length;

        Chunk(byte[] bytes, Throwable failure) {
            this.bytes = bytes;
            this.failure = failure;
        }
    }

    private static final Chunk END = new Chunk(new byte[0], null);
    private static final long WAIT_MILLIS = 100;

    private final int chunkSize;
    private final int chunks;
    /** Chunks written, in order, then END or a failure: never more than every chunk and one marker. */
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<Chunk> free;
    /** The thread reading ahead ({@link #readingAhead}), or null. */
    private final Thread worker;
    /** Why the pipe stopped (abandoned or closed), null while it is open. */
    private volatile String stopped;
    /** The writer's: the chunk being filled, how many chunks it has made, whether it has ended the bytes. */
    private Chunk filling;
    private int made;
    private boolean marked;
    /** The reader's: the chunk being read and where; the failure met, thrown again by every later read. */
    private Chunk current;
    private int position;
    private boolean ended;
    private Throwable failure;

    /** A pipe a thread of the caller's writes to. */
    public BytePipe(int chunkSize, int chunks) {
        this(chunkSize, chunks, null, null);
    }

    private BytePipe(int chunkSize, int chunks, InputStream source, String threadName) {
        if (chunkSize < 1 || chunks < 1) {
            throw new IllegalArgumentException("chunkSize and chunks must be positive");
        }
        this.chunkSize = chunkSize;
        this.chunks = chunks;
        this.full = new ArrayBlockingQueue<>(chunks + 1);
        this.free = new ArrayBlockingQueue<>(chunks);
        if (source == null) {
            worker = null;
        } else {
            worker = new Thread(() -> fill(source), threadName);
            worker.setDaemon(true);
            worker.start();
        }
    }

    /**
     * Reads {@code in} ahead on a thread of its own named {@code threadName}, so that the work
     * inside {@code in} and the reader's each get a core, as {@code tar -z} does with its gzip
     * process. The reader gets exactly the bytes of {@code in}; a failure of {@code in} is thrown
     * to the reader as it was. {@link #close} stops the thread and waits for it; it does not
     * close {@code in}, whose owner does once this stream is closed.
     */
    public static BytePipe readingAhead(InputStream in, String threadName, int chunkSize, int chunks) {
        return new BytePipe(chunkSize, chunks, Objects.requireNonNull(in), Objects.requireNonNull(threadName));
    }

    private void fill(InputStream in) {
        try {
            while (true) {
                if (filling == null && (filling = emptyChunk()) == null) {
                    return; // closed
                }
                int n = in.read(filling.bytes, filling.length, filling.bytes.length - filling.length);
                if (n < 0) {
                    break;
                }
                filling.length += n;
                if (filling.length == filling.bytes.length) {
                    pass();
                }
            }
        } catch (Throwable t) {
            fail(t);
            return;
        }
        end();
    }

    /**
     * Queues a copy of {@code b[off, off + len)}, waiting for an emptied chunk when every chunk is
     * full. False (and the bytes dropped) once the pipe was {@linkplain #abandon abandoned} or the
     * writing thread is interrupted (its interrupt status is kept).
     */
    public boolean write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (marked) {
            throw new IllegalStateException("bytes written after the end");
        }
        while (len > 0) {
            if (filling == null && (filling = emptyChunk()) == null) {
                return false;
            }
            int n = Math.min(len, filling.bytes.length - filling.length);
            System.arraycopy(b, off, filling.bytes, filling.length, n);
            filling.length += n;
            off += n;
            len -= n;
            if (filling.length == filling.bytes.length) {
                pass();
            }
        }
        return stopped == null;
    }

    /** Marks the end of the bytes (after those written); false as for {@link #write}. */
    public boolean end() {
        mark(END);
        return stopped == null;
    }

    /** Ends the bytes with {@code t}, which the reader gets after every byte written before. */
    public void fail(Throwable t) {
        mark(new Chunk(null, Objects.requireNonNull(t)));
    }

    /** Passes what is left and then {@code marker}, the first time the bytes are ended. */
    private void mark(Chunk marker) {
        if (!marked) {
            marked = true;
            passPartial();
            full.add(marker);
        }
    }

    /** Stops both sides: the reader fails at its next read, later writes are dropped. */
    public void abandon() {
        stop("the stream was abandoned");
    }

    private void stop(String why) {
        if (stopped == null) {
            stopped = why;
        }
        full.clear();
    }

    private void passPartial() {
        if (filling != null && filling.length > 0) {
            pass();
        }
    }

    private void pass() {
        full.add(filling); // never full: room for every chunk and one marker
        filling = null;
    }

    /** A chunk to fill: an emptied one, a new one while fewer than {@code chunks} exist, or null once stopped. */
    private Chunk emptyChunk() {
        try {
            while (stopped == null) {
                Chunk c = free.poll();
                if (c == null && made < chunks) {
                    made++;
                    return new Chunk(new byte[chunkSize], null);
                }
                if (c == null) {
                    c = free.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
                if (c != null) {
                    c.length = 0;
                    return c;
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            if (!next()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current.bytes, position, b, off, n);
        position += n;
        return n;
    }

    /** Moves to the next chunk, giving the emptied one back; false at the end; throws the source's failure there. */
    private boolean next() throws IOException {
        if (failure != null) {
            throw Threads.rethrown(failure);
        }
        if (ended) {
            return false;
        }
        if (current != null) {
            free.offer(current);
            current = null;
        }
        Chunk c;
        try {
            do {
                checkOpen();
                c = full.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } while (c == null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while waiting for a stream's bytes");
        }
        checkOpen();
        if (c == END) {
            ended = true;
            return false;
        }
        if (c.failure != null) {
            failure = c.failure;
            throw Threads.rethrown(failure);
        }
        current = c;
        position = 0;
        return true;
    }

    private void checkOpen() throws IOException {
        String why = stopped;
        if (why != null) {
            throw new IOException(why);
        }
    }

    /** Abandons the pipe; a reading-ahead thread is stopped and waited for. */
    @Override
    public void close() throws IOException {
        stop("stream closed");
        Thread w = worker;
        if (w == null || w == Thread.currentThread()) {
            return;
        }
        w.interrupt();
        try {
            w.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping a stream's reader");
        }
    }
}
