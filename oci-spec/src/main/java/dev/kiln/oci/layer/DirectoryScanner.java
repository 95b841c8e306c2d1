package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a directory tree into layer entries in the order a layer holds them, reading real modes, owners, inodes
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

    /** Takes each entry, in order. */
    @FunctionalInterface
    interface Sink {
        void accept(LayerEntry entry) throws IOException;
    }

    private final boolean overlayWhiteouts;
    private final FileReads reads;
    private final Sink sink;
    private final Map<String, String> inodes = new HashMap<>();

    private DirectoryScanner(boolean overlayWhiteouts, FileReads reads, Sink sink) {
        this.overlayWhiteouts = overlayWhiteouts;
        this.reads = reads;
        this.sink = sink;
    }

    static List<LayerEntry> scan(Path root, boolean overlayWhiteouts, FileReads reads) throws IOException {
        List<LayerEntry> entries = new ArrayList<>();
        scan(root, overlayWhiteouts, reads, entries::add);
        return entries;
    }

    /**
     * Hands the entries of the tree under {@code root} to {@code sink} in the order a layer holds
     * them ({@link LayerEntry#compareByComponents}): a directory, then its children by their
     * names in the layer (a whiteout's {@code .wh.NAME}, an opaque marker among its directory's
     * children). Each entry's lstat, xattrs and content come from {@code reads}.
     */
    static void scan(Path root, boolean overlayWhiteouts, FileReads reads, Sink sink) throws IOException {
        new DirectoryScanner(overlayWhiteouts, reads, sink).walkChildren(root, "", null);
    }

    /**
     * One directory entry: its name in the layer (which orders it), its name on disk, its path and
     * what lstat said (null for an opaque marker).
     */
    private record Child(String name, String onDisk, Path path, FileReads.Stat stat) {}

    /** The children of {@code dir} in order, with {@code opaque} (an opaque marker, or null) among them. */
    private void walkChildren(Path dir, String prefix, LayerEntry opaque) throws IOException {
        List<Child> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path p : list) {
                FileReads.Stat stat = reads.lstat(p);
                String name = FileNames.name(p);
                boolean whiteout = overlayWhiteouts && OverlayMarkers.isWhiteout(stat.mode(), stat.rdev());
                children.add(new Child(whiteout ? Whiteouts.markerPath(name) : name, name, p, stat));
            }
        }
        if (opaque != null) {
            children.add(new Child(opaque.path().substring(prefix.length()), null, null, null));
        }
        children.sort((a, b) -> FileNames.compare(a.name(), b.name()));
        for (Child child : children) {
            if (child.stat() == null) {
                sink.accept(opaque);
            } else {
                visit(child.path(), prefix + child.onDisk(), child.stat());
            }
        }
    }

    private void visit(Path p, String rel, FileReads.Stat a) throws IOException {
        int mode = a.mode();
        int perm = mode & 07777;
        int uid = a.uid();
        int gid = a.gid();
        Instant mtime = a.mtime();
        long rdev = a.rdev();
        switch (mode & S_IFMT) {
            case S_IFCHR -> {
                if (overlayWhiteouts && OverlayMarkers.isWhiteout(mode, rdev)) {
                    sink.accept(LayerEntry.whiteout(rel).withOwner(uid, gid).withMtime(mtime));
                } else {
                    add(rel, LayerEntry.Type.CHAR_DEVICE, perm, uid, gid, mtime, major(rdev), minor(rdev));
                }
            }
            case S_IFBLK -> add(rel, LayerEntry.Type.BLOCK_DEVICE, perm, uid, gid, mtime, major(rdev), minor(rdev));
            case S_IFIFO -> add(rel, LayerEntry.Type.FIFO, perm, uid, gid, mtime, 0, 0);
            case S_IFLNK -> sink.accept(new LayerEntry(rel, LayerEntry.Type.SYMLINK, 0777, uid, gid, mtime, 0, null,
                    FileNames.text(Files.readSymbolicLink(p)), 0, 0, null));
            case S_IFDIR -> {
                Map<String, byte[]> xattrs = reads.userXattrs(p);
                sink.accept(new LayerEntry(rel, LayerEntry.Type.DIRECTORY, perm, uid, gid, mtime, 0, null, null, 0, 0,
                        withoutOverlay(xattrs)));
                LayerEntry opaque = overlayWhiteouts && OverlayMarkers.isOpaque(xattrs)
                        ? LayerEntry.opaque(rel).withOwner(uid, gid).withMtime(mtime) : null;
                walkChildren(p, rel + "/", opaque);
            }
            case S_IFREG -> {
                if (a.nlink() > 1) {
                    String first = inodes.putIfAbsent(a.dev() + ":" + a.ino(), rel);
                    if (first != null) {
                        sink.accept(new LayerEntry(rel, LayerEntry.Type.HARDLINK, perm, uid, gid, mtime, 0, null,
                                first, 0, 0, null));
                        return;
                    }
                }
                sink.accept(new LayerEntry(rel, LayerEntry.Type.FILE, perm, uid, gid, mtime, a.size(),
                        reads.content(p), null, 0, 0, withoutOverlay(reads.userXattrs(p))));
            }
            default -> {
                // sockets and unknown types do not belong in images
            }
        }
    }

    private void add(String rel, LayerEntry.Type type, int perm, int uid, int gid, Instant mtime, int major, int minor)
            throws IOException {
        sink.accept(new LayerEntry(rel, type, perm, uid, gid, mtime, 0, null, null, major, minor, null));
    }

    private Map<String, byte[]> withoutOverlay(Map<String, byte[]> xattrs) {
        if (!overlayWhiteouts || xattrs.isEmpty()) {
            return xattrs;
        }
        Map<String, byte[]> kept = new TreeMap<>(xattrs);
        kept.keySet().removeIf(OverlayMarkers::isOverlayXattr);
        return kept;
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
