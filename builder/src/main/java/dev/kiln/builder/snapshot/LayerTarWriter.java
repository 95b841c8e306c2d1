package dev.kiln.builder.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a directory as a deterministic layer tar: entries sorted by path (parents first), names
 * relative without {@code ./}, directories ending in {@code /}, no user or group names, mtimes in
 * whole seconds (clamped when asked), PAX headers for long names and xattrs, hardlinks as links to
 * the first path of the inode. An overlay whiteout (a 0/0 character device) becomes
 * {@code .wh.NAME}; a directory marked {@code user.overlay.opaque=y} gets {@code .wh..wh..opq};
 * other {@code user.overlay.*} xattrs are dropped.
 */
final class LayerTarWriter {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_MARKER = ".wh..wh..opq";

    private final Path root;
    private final SnapshotOptions options;
    private final TarArchiveOutputStream tar;
    private final Map<String, String> firstPathOfInode = new HashMap<>();

    private LayerTarWriter(Path root, SnapshotOptions options, OutputStream out) {
        this.root = root;
        this.options = options;
        this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Writes the tree under {@code root} (not {@code root} itself) to {@code out}; does not close it. */
    static void write(Path root, SnapshotOptions options, OutputStream out) throws IOException {
        LayerTarWriter w = new LayerTarWriter(root, options, out);
        w.walk(root, "");
        w.tar.finish();
    }

    private void walk(Path dir, String prefix) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = new ArrayList<>(s.toList());
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path child : children) {
            String name = prefix + child.getFileName();
            Map<String, Object> a = Files.readAttributes(child, "unix:mode,uid,gid,rdev,ino,dev,nlink,size,"
                    + "lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int type = mode & S_IFMT;
            if (type == S_IFCHR && (Long) a.get("rdev") == 0L) {
                writeMarker(parentOf(name) + WHITEOUT_PREFIX + child.getFileName(), a);
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                TarArchiveEntry e = entry(name + "/", TarConstants.LF_DIR, name, a);
                boolean opaque = addXattrs(e, child);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                if (opaque) {
                    writeMarker(name + "/" + OPAQUE_MARKER, a);
                }
                walk(child, name + "/");
            } else if (Files.isSymbolicLink(child)) {
                TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, name, a);
                e.setLinkName(Files.readSymbolicLink(child).toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                writeFile(child, name, a);
            } else if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO) {
                TarArchiveEntry e = entry(name, type == S_IFCHR ? TarConstants.LF_CHR
                        : type == S_IFBLK ? TarConstants.LF_BLK : TarConstants.LF_FIFO, name, a);
                if (type != S_IFIFO) {
                    long rdev = (Long) a.get("rdev");
                    e.setDevMajor((int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL)));
                    e.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & ~0xffL)));
                }
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (type != S_IFSOCK) {
                throw new IOException("cannot store " + child + " in a layer: unknown file type");
            }
        }
    }

    private void writeFile(Path file, String name, Map<String, Object> a) throws IOException {
        if ((Integer) a.get("nlink") > 1) {
            String key = a.get("dev") + ":" + a.get("ino");
            String first = firstPathOfInode.putIfAbsent(key, name);
            if (first != null) {
                TarArchiveEntry link = entry(name, TarConstants.LF_LINK, name, a);
                link.setLinkName(first);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
                return;
            }
        }
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, name, a);
        e.setSize((Long) a.get("size"));
        addXattrs(e, file);
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(file)) {
            long copied = in.transferTo(tar);
            if (copied != e.getSize()) {
                throw new IOException(file + " changed while it was being stored (size " + e.getSize()
                        + ", read " + copied + ")");
            }
        }
        tar.closeArchiveEntry();
    }

    private void writeMarker(String name, Map<String, Object> a) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setMode(0);
        e.setIds(0, 0);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtimeMillis(a));
        e.setSize(0);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private TarArchiveEntry entry(String entryName, byte flag, String path, Map<String, Object> a) {
        TarArchiveEntry e = new TarArchiveEntry(entryName, flag, true);
        e.setMode((Integer) a.get("mode") & 07777);
        Owner owner = ownerOf(path, (Integer) a.get("uid"), (Integer) a.get("gid"));
        e.setIds(owner.uid(), owner.gid());
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtimeMillis(a));
        return e;
    }

    private Owner ownerOf(String path, int uid, int gid) {
        Owner o = options.owners().get(path);
        if (o != null) {
            return o;
        }
        if (options.mapOwnUidToRoot()) {
            return new Owner(uid == ProcessIds.uid() ? 0 : uid, gid == ProcessIds.gid() ? 0 : gid);
        }
        return new Owner(uid, gid);
    }

    private long mtimeMillis(Map<String, Object> a) {
        Instant t = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toInstant();
        Instant clamp = options.clampTime();
        if (clamp != null && t.isAfter(clamp)) {
            t = clamp;
        }
        return t.getEpochSecond() * 1000L;
    }

    /** Adds the file's user xattrs but overlay's own; returns true when it is marked opaque. */
    private boolean addXattrs(TarArchiveEntry e, Path path) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return false;
        }
        List<String> names;
        try {
            names = view.list();
        } catch (IOException | UnsupportedOperationException notSupported) {
            return false;
        }
        boolean opaque = false;
        Map<String, String> sorted = new TreeMap<>();
        for (String n : names) {
            ByteBuffer buf = ByteBuffer.allocate(view.size(n));
            view.read(n, buf);
            String value = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            if (n.equals("overlay.opaque")) {
                opaque = value.equals("y");
            } else if (!n.startsWith("overlay.")) {
                sorted.put("SCHILY.xattr.user." + n, value);
            }
        }
        sorted.forEach(e::addPaxHeader);
        return opaque;
    }

    private static String parentOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash + 1);
    }
}
