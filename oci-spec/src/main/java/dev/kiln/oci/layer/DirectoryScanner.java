package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns a directory tree into layer entries in sorted walk order, reading real modes, owners, inodes
 * and {@code user.} xattrs without following symlinks. Files with several links become one file
 * entry and hardlinks to it. With {@code overlayWhiteouts}, an overlayfs upper dir is converted
 * from {@link OverlayMarkers}' form to {@link Whiteouts}': a whiteout device {@code NAME} becomes
 * {@code .wh.NAME}, an opaque directory gets {@code .wh..wh..opq}, and overlay's own xattrs are
 * dropped.
 */
final class DirectoryScanner {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;

    private final Path root;
    private final boolean overlayWhiteouts;
    private final Map<String, String> inodes = new HashMap<>();
    private final List<LayerEntry> entries = new ArrayList<>();

    private DirectoryScanner(Path root, boolean overlayWhiteouts) {
        this.root = root;
        this.overlayWhiteouts = overlayWhiteouts;
    }

    static List<LayerEntry> scan(Path root, boolean overlayWhiteouts) throws IOException {
        DirectoryScanner scanner = new DirectoryScanner(root, overlayWhiteouts);
        scanner.walkChildren(root, "");
        return scanner.entries;
    }

    private void walkChildren(Path dir, String prefix) throws IOException {
        List<Map.Entry<String, Path>> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.map(p -> Map.entry(FileNames.name(p), p))
                    .sorted((a, b) -> FileNames.compare(a.getKey(), b.getKey())).toList();
        }
        for (Map.Entry<String, Path> child : children) {
            visit(child.getValue(), prefix + child.getKey());
        }
    }

    private void visit(Path p, String rel) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,nlink,rdev,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int perm = mode & 07777;
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        java.time.Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
        long rdev = (Long) a.get("rdev");
        switch (mode & S_IFMT) {
            case S_IFCHR -> {
                if (overlayWhiteouts && OverlayMarkers.isWhiteout(mode, rdev)) {
                    entries.add(LayerEntry.whiteout(rel).withOwner(uid, gid).withMtime(mtime));
                } else {
                    entries.add(LayerEntry.device(rel, LayerEntry.Type.CHAR_DEVICE, major(rdev), minor(rdev))
                            .withMode(perm).withOwner(uid, gid).withMtime(mtime));
                }
            }
            case S_IFBLK -> entries.add(LayerEntry.device(rel, LayerEntry.Type.BLOCK_DEVICE, major(rdev), minor(rdev))
                    .withMode(perm).withOwner(uid, gid).withMtime(mtime));
            case S_IFIFO -> entries.add(LayerEntry.device(rel, LayerEntry.Type.FIFO, 0, 0)
                    .withMode(perm).withOwner(uid, gid).withMtime(mtime));
            case S_IFLNK -> entries.add(LayerEntry.symlink(rel, FileNames.text(Files.readSymbolicLink(p)))
                    .withOwner(uid, gid).withMtime(mtime));
            case S_IFDIR -> {
                Map<String, byte[]> xattrs = xattrs(p);
                boolean opaque = overlayWhiteouts && OverlayMarkers.isOpaque(xattrs);
                entries.add(LayerEntry.directory(rel).withMode(perm).withOwner(uid, gid).withMtime(mtime)
                        .withXattrs(withoutOverlay(xattrs)));
                if (opaque) {
                    entries.add(LayerEntry.opaque(rel).withOwner(uid, gid).withMtime(mtime));
                }
                walkChildren(p, rel + "/");
            }
            case S_IFREG -> {
                int nlink = (Integer) a.get("nlink");
                String key = a.get("dev") + ":" + a.get("ino");
                if (nlink > 1 && inodes.containsKey(key)) {
                    entries.add(LayerEntry.hardlink(rel, inodes.get(key)).withMode(perm).withOwner(uid, gid)
                            .withMtime(mtime));
                    return;
                }
                if (nlink > 1) {
                    inodes.put(key, rel);
                }
                entries.add(LayerEntry.file(rel, p).withMode(perm).withOwner(uid, gid).withMtime(mtime)
                        .withXattrs(withoutOverlay(xattrs(p))));
            }
            default -> {
                // sockets and unknown types do not belong in images
            }
        }
    }

    private Map<String, byte[]> withoutOverlay(Map<String, byte[]> xattrs) {
        if (!overlayWhiteouts) {
            return xattrs;
        }
        Map<String, byte[]> kept = new TreeMap<>(xattrs);
        kept.keySet().removeIf(OverlayMarkers::isOverlayXattr);
        return kept;
    }

    private static Map<String, byte[]> xattrs(Path p) {
        Map<String, byte[]> out = new TreeMap<>();
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                return out;
            }
            for (String name : view.list()) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                out.put("user." + name, buf.array());
            }
        } catch (IOException | UnsupportedOperationException e) {
            // file system without user xattrs: none to record
        }
        return out;
    }

    /** glibc's gnu_dev_major. */
    static int major(long dev) {
        return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
    }

    /** glibc's gnu_dev_minor. */
    static int minor(long dev) {
        return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
    }
}
