package dev.kiln.builder.engine.mount;

import dev.kiln.builder.store.StoreLock;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Directories for secret files in memory ({@code /dev/shm}), each holding a lock for as long as
 * its build step uses it. A kiln killed with SIGKILL cannot delete its secrets, but the kernel
 * drops its locks: the next kiln of the same user to make a secret directory removes every one
 * whose lock nobody holds.
 */
final class SecretDirs {
    /** Where secret directories go when it is usable: memory, never a disk. */
    static final Path IN_MEMORY = Path.of("/dev/shm");
    static final String PREFIX = "kiln-secret-";
    private static final String LOCK = ".lock";

    private SecretDirs() {}

    /** A new private (0700) directory under {@code parent}, deleted on close, after removing those killed kilns left. */
    static HeldDir create(Path parent) throws IOException {
        sweep(parent);
        Path dir = Files.createTempDirectory(parent, PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return HeldDir.deletedOnClose(dir, StoreLock.exclusive(dir.resolve(LOCK)));
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(dir);
            throw e;
        }
    }

    /** Deletes this user's secret directories under {@code parent} whose lock nobody holds. */
    static int sweep(Path parent) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : entries) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && isMine(dir) && abandoned(dir)) {
                    FileTrees.deleteQuietly(dir);
                    removed++;
                }
            }
        } catch (IOException e) {
            // nothing to sweep, or not readable: not this user's
        }
        return removed;
    }

    private static boolean isMine(Path dir) throws IOException {
        return (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS) == Syscalls.getuid();
    }

    /** True when the directory's lock file exists and nobody holds its lock. */
    private static boolean abandoned(Path dir) {
        Path lockFile = dir.resolve(LOCK);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false; // being created (the lock comes before any secret), or not kiln's
        }
        try (StoreLock l = StoreLock.tryExclusive(lockFile)) {
            return l != null; // null: held, by another kiln or by this one
        } catch (KilnException e) {
            return false; // not openable: not ours to judge
        }
    }
}
