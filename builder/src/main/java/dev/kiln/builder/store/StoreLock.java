package dev.kiln.builder.store;

import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a lock file, held across processes ({@link FileChannel#lock()}) and across
 * threads of this process (a {@link ReentrantLock} per file, since the JVM refuses overlapping file
 * locks from one process).
 */
public final class StoreLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private StoreLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Blocks until the lock is held. */
    public static StoreLock exclusive(Path lockFile) {
        return acquire(lockFile, true, false);
    }

    /** Holds the lock shared with other readers (other processes); null if it is held exclusively. */
    static StoreLock shared(Path lockFile) {
        return acquire(lockFile, false, false);
    }

    /** The exclusive lock if nobody holds it in any mode now, else null. */
    public static StoreLock tryExclusive(Path lockFile) {
        return acquire(lockFile, true, true);
    }

    private static StoreLock acquire(Path lockFile, boolean exclusive, boolean tryOnly) {
        ReentrantLock tl = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        if (exclusive) {
            if (tryOnly) {
                if (!tl.tryLock()) {
                    return null;
                }
            } else {
                tl.lock();
            }
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock fl = tryOnly ? ch.tryLock(0, Long.MAX_VALUE, !exclusive) : ch.lock(0, Long.MAX_VALUE, !exclusive);
            if (fl == null) {
                ch.close();
                release(exclusive ? tl : null);
                return null;
            }
            return new StoreLock(exclusive ? tl : null, ch, fl);
        } catch (OverlappingFileLockException inThisProcess) {
            // This process already holds the file in the other mode (e.g. a session during gc).
            closeQuietly(ch);
            release(exclusive ? tl : null);
            return null;
        } catch (IOException e) {
            closeQuietly(ch);
            release(exclusive ? tl : null);
            throw new KilnException("cannot lock " + lockFile + ": " + e.getMessage(),
                    "check that the store directory is writable by this user", e);
        }
    }

    private static void release(ReentrantLock tl) {
        if (tl != null) {
            tl.unlock();
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel released the lock
        } finally {
            release(threadLock);
        }
    }
}
