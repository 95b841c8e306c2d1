package dev.kiln.runtime;

import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Overlay-format directories on disk, for what needs native code or the runtime: making a whiteout
 * device, and flattening a stack of layer directories into one plain tree when overlay cannot be
 * mounted. The format's rules (a deleted entry is a 0/0 character device, an opaque directory
 * carries {@code user.overlay.opaque=y}) are oci-spec's {@link OverlayMarkers}; turning an upper dir
 * into an OCI layer is oci-spec's {@code LayerWriter} with overlay whiteouts on.
 */
public final class OverlayFormat {
    private OverlayFormat() {}

    /** Makes {@code path} (which must not exist) a whiteout: {@link OverlayMarkers}' device node. */
    public static void writeWhiteout(Path path) throws IOException {
        Syscalls.mknodChar(path, 0, OverlayMarkers.WHITEOUT_MAJOR, OverlayMarkers.WHITEOUT_MINOR);
    }

    /**
     * Copies a stack of overlay-format directories (bottom to top) into {@code dest} as one plain
     * tree, applying whiteouts and opaque directories, keeping modes, owners and times. The
     * fallback root filesystem when overlay cannot be mounted.
     */
    public static void flatten(List<Path> layersBottomToTop, Path dest) throws IOException {
        Files.createDirectories(dest);
        for (Path layer : layersBottomToTop) {
            Files.walkFileTree(layer, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                        throws IOException {
                    Path target = dest.resolve(layer.relativize(dir));
                    if (!dir.equals(layer)) {
                        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                            FileTrees.delete(target);
                            Files.createDirectory(target);
                        } else if (OverlayMarkers.isOpaque(dir)) {
                            emptyDir(target);
                        }
                    }
                    copyMetadata(dir, target);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                        throws IOException {
                    Path target = dest.resolve(layer.relativize(file));
                    if (OverlayMarkers.isWhiteout(file)) {
                        FileTrees.delete(target);
                        return FileVisitResult.CONTINUE;
                    }
                    if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
                        return FileVisitResult.CONTINUE; // devices and FIFOs: not in a rootless copy
                    }
                    FileTrees.delete(target);
                    Files.copy(file, target, LinkOption.NOFOLLOW_LINKS,
                            StandardCopyOption.COPY_ATTRIBUTES);
                    copyOwner(file, target);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Path target = dest.resolve(layer.relativize(dir));
                    FileTime mtime = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
                    Files.setLastModifiedTime(target, mtime);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    private static void emptyDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                FileTrees.delete(p);
            }
        }
    }

    private static void copyMetadata(Path from, Path to) throws IOException {
        Files.setAttribute(to, "unix:mode",
                Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        copyOwner(from, to);
    }

    private static void copyOwner(Path from, Path to) throws IOException {
        if (Syscalls.geteuid() != 0) {
            return;
        }
        Map<String, Object> a = Files.readAttributes(from, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        try {
            Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // an owner that is not mapped here stays ours
        }
    }
}
