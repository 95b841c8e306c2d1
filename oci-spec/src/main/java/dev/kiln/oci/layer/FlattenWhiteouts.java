package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/** Applies whiteouts by deleting: the mode for extracting layers one over another into one rootfs. */
final class FlattenWhiteouts implements WhiteoutHandler {
    @Override
    public void whiteout(Path target, String relativePath) throws IOException {
        deleteTree(target);
    }

    @Override
    public void opaque(Path dir, String relativePath, Set<Path> keep) throws IOException {
        BasicFileAttributes attrs = SafeRoot.lstat(dir);
        if (attrs == null || !attrs.isDirectory()) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (!keep.contains(child)) {
                    deleteTree(child);
                }
            }
        }
    }

    /** Deletes {@code p} and, if it is a real directory, everything under it; never follows links. */
    static void deleteTree(Path p) throws IOException {
        BasicFileAttributes attrs = SafeRoot.lstat(p);
        if (attrs == null) {
            return;
        }
        if (attrs.isDirectory()) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
