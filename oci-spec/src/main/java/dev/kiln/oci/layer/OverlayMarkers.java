package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.Map;

/**
 * Overlayfs's on-disk form of a layer's deletions, as the unprivileged overlay kiln mounts
 * ({@link #MOUNT_OPTION userxattr}) writes and reads it, in one place: a deleted entry is a
 * character device 0/0 of the same name, an opaque directory carries
 * {@code user.overlay.opaque=y}, and overlay keeps its own bookkeeping (such as
 * {@code user.overlay.origin} on an entry copied up from a lower layer) in other
 * {@code user.overlay.*} attributes. Privileged overlay's {@code trusted.overlay.*} form is
 * never used. The OCI form these stand for is {@link Whiteouts}'; the conversion between the two is
 * {@link LayerWriter.Options#withOverlayWhiteouts} one way and the runtime's overlay
 * {@link WhiteoutHandler} the other. Making the device node needs native code and is the
 * runtime's ({@code OverlayFormat.writeWhiteout}, with {@link #WHITEOUT_MAJOR}/{@link #WHITEOUT_MINOR}).
 */
public final class OverlayMarkers {
    /** The overlay mount option that puts overlay's xattrs in the {@code user.} namespace. */
    public static final String MOUNT_OPTION = "userxattr";
    /** The namespace of overlay's own xattrs: never part of a layer. */
    public static final String XATTR_PREFIX = "user.overlay.";
    /** The xattr marking an opaque directory, with the value {@code y}. */
    public static final String OPAQUE_XATTR = XATTR_PREFIX + "opaque";
    /** The xattr overlay puts on an entry it copied up from a lower layer. */
    public static final String ORIGIN_XATTR = XATTR_PREFIX + "origin";
    /** A whiteout is a character device with this major and {@link #WHITEOUT_MINOR} number. */
    public static final int WHITEOUT_MAJOR = 0;
    public static final int WHITEOUT_MINOR = 0;

    private static final String USER = "user.";
    private static final byte[] OPAQUE_VALUE = "y".getBytes(StandardCharsets.UTF_8);
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private OverlayMarkers() {
    }

    /** Whether a file of this {@code st_mode} and {@code st_rdev} is overlay's whiteout (a 0/0 character device). */
    public static boolean isWhiteout(int mode, long rdev) {
        return (mode & S_IFMT) == S_IFCHR && DirectoryScanner.major(rdev) == WHITEOUT_MAJOR
                && DirectoryScanner.minor(rdev) == WHITEOUT_MINOR;
    }

    /** Whether {@code path} (not followed) is overlay's whiteout. */
    public static boolean isWhiteout(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return isWhiteout((Integer) a.get("mode"), (Long) a.get("rdev"));
    }

    /** Whether a directory with these {@code user.} xattrs (by full name) is opaque. */
    public static boolean isOpaque(Map<String, byte[]> xattrs) {
        return isOpaqueValue(xattrs.get(OPAQUE_XATTR));
    }

    /** Whether {@code dir} is a real directory (not a symlink to one) marked opaque. */
    public static boolean isOpaque(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
        String name = userName(OPAQUE_XATTR);
        if (view == null || !view.list().contains(name)) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(view.size(name));
        view.read(name, buf);
        return isOpaqueValue(Arrays.copyOf(buf.array(), buf.position()));
    }

    /** Marks directory {@code dir} opaque. */
    public static void markOpaque(Path dir) throws IOException {
        Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class)
                .write(userName(OPAQUE_XATTR), ByteBuffer.wrap(OPAQUE_VALUE));
    }

    /** Whether an xattr (full name) is overlay's own bookkeeping, which a layer never carries. */
    public static boolean isOverlayXattr(String name) {
        return name.startsWith(XATTR_PREFIX);
    }

    /**
     * Whether overlay copied {@code path} (not followed) up from a lower layer: the entry changed in
     * place, rather than a new one taking its name. False when that cannot be read.
     */
    public static boolean isCopyUp(Path path) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            return view != null && view.list().contains(userName(ORIGIN_XATTR));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean isOpaqueValue(byte[] value) {
        return value != null && "y".equals(new String(value, StandardCharsets.UTF_8));
    }

    /** The name java.nio's user view takes: without {@code user.}. */
    private static String userName(String fullName) {
        return fullName.substring(USER.length());
    }
}
