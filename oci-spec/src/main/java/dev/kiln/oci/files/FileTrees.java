package dev.kiln.oci.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Recursive deletion that never follows symbolic links (a link is removed, not its target), makes
 * read-only and unreadable directories the owner's again before emptying them (layer trees hold
 * 0555 dirs, hostile ones 0000), and
 * tolerates entries that vanish meanwhile.
 */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code root} and everything under it; nothing when it does not exist. */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (IOException | UnsupportedOperationException ignored) {
                    // not ours to change: deleting its entries tells
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                if (e instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    // a directory its owner cannot list (0000, 0300): the walk opens it before
                    // preVisitDirectory could make it the owner's again
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * {@link #delete} for clean-up paths, where a tree left behind must not hide the real
     * outcome: a failure is logged at DEBUG. A null {@code root} is nothing to do.
     *
     * @return whether the tree is gone
     */
    public static boolean deleteQuietly(Path root) {
        if (root == null) {
            return true;
        }
        try {
            delete(root);
            return true;
        } catch (IOException e) {
            System.getLogger(FileTrees.class.getName()).log(System.Logger.Level.DEBUG,
                    "could not remove {0}: {1}", root, e.getMessage());
            return false;
        }
    }
}
