package dev.kiln.oci.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Publishing a file so that a crash (kill -9, power loss) leaves either the old state or the whole
 * new file, never a short one under the final name: the temp file's bytes are flushed to disk,
 * it is renamed atomically, and the directory holding the new name is flushed too.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Flushes a file's bytes and metadata to disk. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Flushes a directory's entries (a rename into it, a new file) to disk. */
    public static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            // some file systems refuse fsync on a directory; their renames are as durable as they get
        }
    }

    /**
     * Makes the complete file {@code tmp} appear as {@code target} (fsync, atomic rename, fsync of
     * the target's directory).
     *
     * @param replace whether an existing {@code target} is replaced; if not, it is kept and
     *     {@code tmp} is left for the caller to delete
     * @return whether {@code tmp} became {@code target}
     */
    public static boolean publish(Path tmp, Path target, boolean replace) throws IOException {
        fsync(tmp);
        Files.createDirectories(target.getParent());
        try {
            if (replace) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                if (Files.exists(target)) {
                    return false;
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            return false; // a concurrent writer won
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot atomically rename " + tmp + " to " + target, e);
        }
        fsyncDir(target.getParent());
        return true;
    }

    /** Replaces {@code target} with {@code bytes}, through a temp file in {@code tmpDir} (same file system). */
    public static void write(Path target, byte[] bytes, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = Files.createTempFile(tmpDir, "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            publish(tmp, target, true);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
