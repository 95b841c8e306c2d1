package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /** One directory entry: its name in text form and its path. */
    private record Child(String name, Path path) {}

    private void walkChildren(Path dir, String prefix) throws IOException {
        List<Child> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path p : list) {
                children.add(new Child(FileNames.name(p), p));
            }
        }
        children.sort((a, b) -> FileNames.compare(a.name(), b.name()));
        for (Child child : children) {
            visit(child.path(), prefix + child.name());
        }
    }

    private void visit(Path p, String rel) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,nlink,rdev,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int perm = mode & 07777;
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
        long rdev = (Long) a.get("rdev");
        switch (mode & S_IFMT) {
            case S_IFCHR -> {
                if (overlayWhiteouts && OverlayMarkers.isWhiteout(mode, rdev)) {
                    entries.add(LayerEntry.whiteout(rel).withOwner(uid, gid).withMtime(mtime));
                } else {
                    add(rel, LayerEntry.Type.CHAR_DEVICE, perm, uid, gid, mtime, major(rdev), minor(rdev));
                }
            }
            case S_IFBLK -> add(rel, LayerEntry.Type.BLOCK_DEVICE, perm, uid, gid, mtime, major(rdev), minor(rdev));
            case S_IFIFO -> add(rel, LayerEntry.Type.FIFO, perm, uid, gid, mtime, 0, 0);
            case S_IFLNK -> entries.add(new LayerEntry(rel, LayerEntry.Type.SYMLINK, 0777, uid, gid, mtime, 0, null,
                    FileNames.text(Files.readSymbolicLink(p)), 0, 0, null));
            case S_IFDIR -> {
                Map<String, byte[]> xattrs = xattrs(p);
                boolean opaque = overlayWhiteouts && OverlayMarkers.isOpaque(xattrs);
                entries.add(new LayerEntry(rel, LayerEntry.Type.DIRECTORY, perm, uid, gid, mtime, 0, null, null, 0, 0,
                        withoutOverlay(xattrs)));
                if (opaque) {
                    entries.add(LayerEntry.opaque(rel).withOwner(uid, gid).withMtime(mtime));
                }
                walkChildren(p, rel + "/");
            }
            case S_IFREG -> {
                int nlink = (Integer) a.get("nlink");
                if (nlink > 1) {
                    String key = a.get("dev") + ":" + a.get("ino");
                    String first = inodes.putIfAbsent(key, rel);
                    if (first != null) {
                        entries.add(new LayerEntry(rel, LayerEntry.Type.HARDLINK, perm, uid, gid, mtime, 0, null,
                                first, 0, 0, null));
                        return;
                    }
                }
                entries.add(new LayerEntry(rel, LayerEntry.Type.FILE, perm, uid, gid, mtime, (Long) a.get("size"),
                        new LayerEntry.FileContent(p), null, 0, 0, withoutOverlay(xattrs(p))));
            }
            default -> {
                // sockets and unknown types do not belong in images
            }
        }
    }

    private void add(String rel, LayerEntry.Type type, int perm, int uid, int gid, Instant mtime, int major, int minor) {
        entries.add(new LayerEntry(rel, type, perm, uid, gid, mtime, 0, null, null, major, minor, null));
    }

    private Map<String, byte[]> withoutOverlay(Map<String, byte[]> xattrs) {
        if (!overlayWhiteouts || xattrs.isEmpty()) {
            return xattrs;
        }
        Map<String, byte[]> kept = new TreeMap<>(xattrs);
        kept.keySet().removeIf(OverlayMarkers::isOverlayXattr);
        return kept;
    }

    private static Map<String, byte[]> xattrs(Path p) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                return Map.of();
            }
            List<String> names = view.list();
            if (names.isEmpty()) {
                return Map.of();
            }
            Map<String, byte[]> out = new TreeMap<>();
            for (String name : names) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                out.put("user." + name, buf.array());
            }
            return out;
        } catch (IOException | UnsupportedOperationException e) {
            // file system without user xattrs: none to record
            return Map.of();
        }
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
