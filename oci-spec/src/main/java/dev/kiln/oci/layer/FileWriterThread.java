package dev.kiln.oci.layer;

import dev.kiln.oci.Threads;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * One extraction's second thread ({@code kiln-layer-write}), which writes regular files while the
 * extraction thread goes on reading the tar: on a base layer of thousands of small files the file
 * system's time in creating them (most of the extraction thread's system time on ext4) is shared
 * with another core. The extraction thread {@linkplain #queue queues} a file with its content,
 * copied out of the tar into a ring of {@link #CAPACITY} bytes made once and used again (memory
 * stays bounded and the bytes make no garbage); this thread hands the files, in order, to the
 * extractor's {@link Writing}. While {@link #MAX_QUEUED} files wait, the extraction thread writes
 * the next one itself instead of waiting. {@link #drain} is the barrier: it returns once
 * everything queued is written, or throws what writing failed with. {@link #close} stops the
 * thread after the file it is writing and waits for it. Which files may be queued and when to
 * drain are the extraction's rules ({@link Extraction}); every call here but the writing is
 * the extraction thread's.
 */
final class FileWriterThread implements AutoCloseable {
    /** The bytes of queued content at most: the ring's size. */
    static final int CAPACITY = 4 << 20;
    /** The largest file queued; a larger one is written by the extraction thread itself. */
    static final int MAX_FILE = 1 << 20;
    /**
     * Files queued at most: while this many wait (or their bytes fill the ring), the extraction
     * thread writes the next file itself rather than wait, so the two share the files' creation
     * (the file system's time, which a small file's is mostly) and neither idles.
     */
    static final int MAX_QUEUED = 64;

    /** Writes one queued file: create, content ({@code from}'s {@link #writeContent}), metadata, close. */
    @FunctionalInterface
    interface Writing {
        void write(Queued file, FileWriterThread from) throws IOException;
    }

    /**
     * A regular file waiting to be written: its content is the ring's bytes from {@code start}
     * ({@code length} of them); {@code seq} is its entry's place in the tar, for ordering what
     * writing it records.
     */
    record Queued(Path path, TarArchiveEntry entry, Map<String, byte[]> xattrs, int seq, long start, int length) {
    }

    private final byte[] ring = new byte[CAPACITY];
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final Writing writing;
    private final Thread thread;
    /** The next free byte of the ring (the extraction thread's), and how far written content has freed it. */
    private long head;
    private long tail;
    private boolean stopping;
    /** What writing a file failed with; nothing is written after it. */
    private Throwable failure;

    FileWriterThread(Writing writing) {
        this.writing = writing;
        this.thread = new Thread(this::run, "kiln-layer-write");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Copies the content of {@code entry} (at most {@link #MAX_FILE} bytes) from {@code content}
     * into the ring, and to {@code copy} when not null, and queues the file at {@code path}; or,
     * when {@link #MAX_QUEUED} files wait or the ring has no room for it, reads nothing and
     * returns false. Throws the writer's failure if it has failed.
     */
    boolean queue(Path path, TarArchiveEntry entry, Map<String, byte[]> xattrs, int seq, InputStream content,
            OutputStream copy) throws IOException {
        int size = (int) entry.getSize();
        long start;
        synchronized (this) {
            throwFailure();
            stopIfInterrupted();
            if (queue.size() >= MAX_QUEUED || CAPACITY - (head - tail) < size) {
                return false;
            }
            start = head;
        }
        int length = 0;
        while (length < size) {
            int at = (int) ((start + length) % CAPACITY);
            int n = content.read(ring, at, Math.min(size - length, CAPACITY - at));
            if (n < 0) {
                break;
            }
            if (copy != null) {
                copy.write(ring, at, n);
            }
            length += n;
        }
        if (length == size && content.read() >= 0) {
            throw new IOException(entry.getName() + ": tar entry longer than its header says");
        }
        synchronized (this) {
            head = start + length;
            queue.addLast(new Queued(path, entry, xattrs, seq, start, length));
            notifyAll();
        }
        return true;
    }

    /** Writes the content of {@code file} to {@code target}: the writer's. */
    void writeContent(Queued file, FileWrites.Handle target) throws IOException {
        int at = (int) (file.start() % CAPACITY);
        int first = Math.min(file.length(), CAPACITY - at);
        if (first > 0) {
            target.write(ring, at, first);
        }
        if (file.length() > first) {
            target.write(ring, 0, file.length() - first);
        }
    }

    /**
     * Waits until every queued file is written; throws what writing one failed with (the
     * extraction fails with it, as it would have on one thread).
     */
    void drain() throws IOException {
        synchronized (this) {
            stopIfInterrupted();
            while (!queue.isEmpty() && failure == null) {
                await();
            }
            throwFailure();
        }
    }

    /**
     * Waits until every queued file is written or writing failed, without throwing: for an
     * extraction that failed, whose error is writing's when that came first. An interrupt ends
     * the wait (and is kept).
     */
    void awaitQueued() {
        synchronized (this) {
            while (!queue.isEmpty() && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * After {@link #close}, on the extraction's failure {@code met}: throws what writing failed
     * with first, if it did (an earlier entry's failure, which one thread would have met first),
     * with {@code met} suppressed.
     */
    void throwFailureBefore(Throwable met) throws IOException {
        synchronized (this) {
            if (failure != null && failure != met) {
                failure.addSuppressed(met);
                throwFailure();
            }
        }
    }

    /** Stops the thread once the file it is writing is done (files still queued are dropped) and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            queue.clear();
            notifyAll();
        }
        Threads.joinUninterruptibly(thread, () -> {});
    }

    /** Waits for the writer (holding the lock); an interrupt stops the extraction. */
    private void await() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopIfInterrupted();
    }

    /** An interrupted extraction stops at its next file or barrier (the interrupt is kept). */
    private static void stopIfInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("layer extraction interrupted while files were being written");
        }
    }

    private void throwFailure() throws IOException {
        if (failure != null) {
            throw Threads.rethrown(failure);
        }
    }

    private void run() {
        while (true) {
            Queued file;
            synchronized (this) {
                while (queue.isEmpty() && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        stopping = true; // nobody interrupts this thread but to end it
                    }
                }
                if (stopping) {
                    return;
                }
                file = queue.peekFirst();
            }
            try {
                writing.write(file, this);
            } catch (IOException | RuntimeException | Error e) {
                synchronized (this) {
                    failure = e;
                    queue.clear();
                    notifyAll();
                }
                return;
            }
            synchronized (this) {
                if (!queue.isEmpty() && queue.peekFirst() == file) {
                    queue.removeFirst();
                }
                tail = file.start() + file.length();
                notifyAll();
            }
        }
    }
}
