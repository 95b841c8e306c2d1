package dev.kiln.runtime;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.FileOps;
import dev.kiln.oci.layer.FileWrites;
import dev.kiln.runtime.linux.FdFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Owners kiln could not set on disk, kept on the files themselves: where kiln's user namespace
 * maps only root, a file or directory whose layer owner is not 0:0 carries the xattr
 * {@code user.kiln.owner = "UID:GID"}; a symlink, which cannot carry {@code user.} xattrs, is
 * recorded on its parent directory as {@code user.kiln.owner.link.<sha-256 of its name>} and, for a
 * RUN's chown, {@code user.kiln.owner.ino.<its inode number>} too (which finds it after a rename in
 * the same directory, as dpkg renames {@code x.dpkg-new} to {@code x}). A file's tag
 * travels with the inode: it survives renames (dpkg's {@code .dpkg-new}), is shared by hardlinks,
 * is copied up by overlay with the file when a later RUN changes it, and goes away with the file.
 * The {@link ChownRecorder} writes tags for a RUN's chown calls, layer extraction for a base
 * layer's owners; the snapshot turns them into tar owners and never writes them into a layer.
 */
public final class OwnerTags {
    /** The xattr of a file or directory. */
    public static final String FILE = "user.kiln.owner";
    private static final String LINK_PREFIX = FILE + ".link.";
    private static final String INODE_PREFIX = FILE + ".ino.";

    /** A numeric owner as a tag holds it. */
    public record Ids(int uid, int gid) {
        boolean isRoot() {
            return uid == 0 && gid == 0;
        }
    }

    private OwnerTags() {}

    /** True for every xattr name this class owns: never copy one into a layer. */
    public static boolean isTag(String xattr) {
        return xattr.equals(FILE) || xattr.startsWith(FILE + ".");
    }

    /** The xattr, on its parent directory, of the symlink named {@code name} (raw bytes). */
    public static String linkTag(byte[] name) {
        try {
            return LINK_PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The xattr, on its parent directory, of the symlink with inode number {@code ino}. */
    public static String inodeTag(long ino) {
        return INODE_PREFIX + Long.toUnsignedString(ino);
    }

    /** The owner a tag value holds; empty when it is not {@code UID:GID} with non-negative numbers. */
    public static Optional<Ids> parse(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        String s = new String(value, StandardCharsets.US_ASCII);
        int colon = s.indexOf(':');
        try {
            int uid = Integer.parseInt(s.substring(0, Math.max(colon, 0)));
            int gid = Integer.parseInt(s.substring(colon + 1));
            return uid >= 0 && gid >= 0 ? Optional.of(new Ids(uid, gid)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The owner the tag among a file's or directory's own {@code xattrs} gives. */
    public static Optional<Ids> find(Map<String, byte[]> xattrs) {
        return parse(xattrs.get(FILE));
    }

    /**
     * The owner of the symlink named {@code name} with inode number {@code ino} (negative:
     * unknown), from its parent directory's {@code xattrs}: by name, else by inode.
     */
    public static Optional<Ids> findLink(Map<String, byte[]> parentXattrs, byte[] name, long ino) {
        Optional<Ids> byName = parse(parentXattrs.get(linkTag(name)));
        return byName.isPresent() || ino < 0 ? byName : parse(parentXattrs.get(inodeTag(ino)));
    }

    /**
     * Tags {@code path} (absolute, not followed) with {@code uid:gid}, as layer extraction does for
     * an owner the disk could not take.
     */
    public static void tag(Path path, int uid, int gid) throws IOException {
        int fd = FdFiles.openNoFollow(FileNames.encode(FileNames.text(path)));
        try {
            if (FdFiles.stat(fd).isSymlink()) {
                Path parent = path.getParent();
                int dir = FdFiles.openNoFollow(FileNames.encode(FileNames.text(parent)));
                try {
                    write(dir, linkTag(FileNames.encode(FileNames.name(path))), new Ids(uid, gid));
                } finally {
                    FdFiles.close(dir);
                }
            } else {
                write(fd, FILE, new Ids(uid, gid));
            }
        } finally {
            FdFiles.close(fd);
        }
    }

    /**
     * {@link FileOps} for layer extraction over {@code disk}: an owner the disk refuses (an id kiln's
     * user namespace does not map) becomes a tag; a layer's own tag xattrs are dropped, so an image
     * cannot plant owners.
     */
    public static FileOps extraction(FileOps disk) {
        return new FileOps() {
            @Override
            public void chown(Path path, int uid, int gid) throws IOException {
                try {
                    disk.chown(path, uid, gid);
                } catch (IOException | UnsupportedOperationException refused) {
                    tag(path, uid, gid);
                }
            }

            @Override
            public void chown(FileWrites.Handle file, int uid, int gid) throws IOException {
                try {
                    disk.chown(file, uid, gid);
                } catch (IOException | UnsupportedOperationException refused) {
                    tag(file.path(), uid, gid);
                }
            }

            @Override
            public void setXattr(Path path, String name, byte[] value) throws IOException {
                if (!isTag(name)) {
                    disk.setXattr(path, name, value);
                }
            }

            @Override
            public void mknod(Path path, char type, int mode, int major, int minor) throws IOException {
                disk.mknod(path, type, mode, major, minor);
            }
        };
    }

    /** Reads tag {@code name} of {@code fd}; empty when absent. */
    static Optional<Ids> read(int fd, String name) throws IOException {
        return parse(FdFiles.getXattr(fd, name));
    }

    /** Writes tag {@code name} on {@code fd}: 0:0 removes it (the disk says 0:0 already). */
    static void write(int fd, String name, Ids ids) throws IOException {
        if (ids.isRoot()) {
            FdFiles.removeXattr(fd, name);
        } else {
            FdFiles.setXattr(fd, name, (ids.uid() + ":" + ids.gid()).getBytes(StandardCharsets.US_ASCII));
        }
    }
}
