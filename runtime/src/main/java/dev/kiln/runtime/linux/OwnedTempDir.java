package dev.kiln.runtime.linux;

import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A private (0700) directory in a parent every user shares ({@code /tmp}, {@code /dev/shm}) that
 * kiln holds a lock in ({@value #LOCK}, {@link FileChannel#lock()}) for as long as it is there. A
 * kiln killed with SIGKILL cannot delete its directory, but the kernel drops its lock: {@link
 * #sweep} removes the directories a killed kiln left, and only those — a directory of the prefix
 * that is a real directory (not a symlink), owned by this user (as this user namespace sees it),
 * holding a regular lock file that can be locked now: nobody holds it, so its owner is gone. A
 * directory without its lock file is one being made (the lock file gets its name only once it is
 * locked) or not kiln's: kept. Symlinks are never followed.
 */
public final class OwnedTempDir implements AutoCloseable {
    static final String LOCK = ".lock";
    /**
     * The directories this process holds: a sweep must not even open their lock files, because
     * closing any descriptor of a file drops the process's locks on it (POSIX record locks).
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel lock;

    private OwnedTempDir(Path dir, FileChannel lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** A new directory {@code parent/prefix<random>}, locked until {@link #close}. */
    public static OwnedTempDir create(Path parent, String prefix) throws IOException {
        Path dir = Files.createTempDirectory(parent, prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path key = dir.toAbsolutePath().normalize();
        HELD.add(key);
        FileChannel ch = null;
        try {
            Path pending = dir.resolve(LOCK + ".new");
            ch = FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ch.lock();
            Files.move(pending, dir.resolve(LOCK), StandardCopyOption.ATOMIC_MOVE);
            return new OwnedTempDir(dir, ch);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            FileTrees.deleteQuietly(dir);
            HELD.remove(key);
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /** Deletes the directory, then releases its lock; idempotent. */
    @Override
    public void close() {
        FileTrees.deleteQuietly(dir);
        closeQuietly(lock);
        HELD.remove(dir.toAbsolutePath().normalize());
    }

    /** Deletes this user's directories {@code parent/prefix*} that a killed kiln left; how many. */
    public static int sweep(Path parent, String prefix) {
        int removed = 0;
        int uid = Syscalls.getuid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path dir : entries) {
                if (!HELD.contains(dir.toAbsolutePath().normalize())
                        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && owner(dir) == uid
                        && removeIfAbandoned(dir)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            // nothing to sweep, or not readable: not this user's
        }
        return removed;
    }

    private static int owner(Path dir) {
        try {
            return (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Removes {@code dir} under its lock when nobody holds that; false when somebody does, or it is not kiln's. */
    private static boolean removeIfAbandoned(Path dir) {
        Path lockFile = dir.resolve(LOCK);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            FileLock held = ch.tryLock();
            if (held == null) {
                return false; // its kiln is alive
            }
            return deleteLockLast(dir, lockFile);
        } catch (IOException | OverlappingFileLockException e) {
            return false; // gone meanwhile, not openable, or held in this process: not ours to judge
        }
    }

    /**
     * Deletes {@code dir}'s entries, then its lock file and itself: a directory that cannot be
     * removed whole keeps its lock file, so that a later sweep tries again.
     */
    private static boolean deleteLockLast(Path dir, Path lockFile) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!entry.equals(lockFile)) {
                    FileTrees.delete(entry);
                }
            }
            Files.delete(lockFile);
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            System.getLogger(OwnedTempDir.class.getName()).log(System.Logger.Level.DEBUG,
                    "could not remove {0}, left by a killed kiln: {1}", dir, e.getMessage());
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing released the lock either way
            }
        }
    }
}
