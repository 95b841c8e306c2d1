package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of a layer tar to be written.
 *
 * @param path       relative, {@code /}-separated, without {@code ./} or trailing slash; names in
 *                   {@link FileNames} text form (bytes that are not UTF-8 as lone surrogates)
 * @param type       what kind of entry
 * @param mode       permission bits including setuid/setgid/sticky ({@code 07777})
 * @param uid        owner
 * @param gid        group
 * @param mtime      modification time (written with second precision)
 * @param size       content length for files, else 0
 * @param content    opens the content of a file; null for other types
 * @param linkTarget symlink target as written, or the path of the hardlink's earlier entry
 * @param devMajor   device major number
 * @param devMinor   device minor number
 * @param xattrs     extended attributes by full name (written as PAX {@code SCHILY.xattr.*})
 */
public record LayerEntry(String path, Type type, int mode, int uid, int gid, Instant mtime, long size,
                         Content content, String linkTarget, int devMajor, int devMinor, Map<String, byte[]> xattrs) {

    /** Entry kinds. */
    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

    /** Supplies a file's bytes when the tar is written. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    public LayerEntry {
        path = cleanPath(path);
        Objects.requireNonNull(type, "type");
        mtime = mtime == null ? Instant.EPOCH : mtime;
        if (type == Type.FILE && content == null) {
            throw new LayerException("file entry '" + path + "' has no content");
        }
        if ((type == Type.SYMLINK || type == Type.HARDLINK) && (linkTarget == null || linkTarget.isEmpty())) {
            throw new LayerException(type + " entry '" + path + "' has no target");
        }
        if (type == Type.HARDLINK) {
            linkTarget = cleanPath(linkTarget);
        }
        xattrs = xattrs == null || xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
    }

    static String cleanPath(String raw) {
        if (isClean(raw)) {
            return raw;
        }
        List<String> parts = SafeRoot.components(raw);
        if (parts.isEmpty()) {
            throw new LayerException("layer entry path '" + raw + "' names the root");
        }
        return String.join("/", parts);
    }

    /** Whether {@code path} is already in the form {@link #cleanPath} gives: names between single slashes, none {@code .} or {@code ..}, no NUL. */
    private static boolean isClean(String path) {
        int start = 0;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '\0') {
                return false;
            }
            if (c == '/') {
                int len = i - start;
                if (len == 0 || (path.charAt(start) == '.' && (len == 1 || (len == 2 && path.charAt(start + 1) == '.')))) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    public static LayerEntry file(String path, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new LayerEntry(path, Type.FILE, 0644, 0, 0, null, copy.length, () -> new ByteArrayInputStream(copy),
                null, 0, 0, null);
    }

    /** A file whose content is read from {@code source} when written; a symlink there is not followed. */
    public static LayerEntry file(String path, Path source) throws IOException {
        long size = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        return new LayerEntry(path, Type.FILE, 0644, 0, 0, null, size, new FileContent(source), null, 0, 0, null);
    }

    /** The content of the file at {@code source}, not followed if it is a symlink. */
    record FileContent(Path source) implements Content {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
        }
    }

    public static LayerEntry directory(String path) {
        return new LayerEntry(path, Type.DIRECTORY, 0755, 0, 0, null, 0, null, null, 0, 0, null);
    }

    public static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Type.SYMLINK, 0777, 0, 0, null, 0, null, target, 0, 0, null);
    }

    /** A hardlink to the earlier entry {@code target}. */
    public static LayerEntry hardlink(String path, String target) {
        return new LayerEntry(path, Type.HARDLINK, 0644, 0, 0, null, 0, null, target, 0, 0, null);
    }

    /** The whiteout that deletes {@code path} from the layers below: an empty file {@code .wh.NAME}. */
    public static LayerEntry whiteout(String path) {
        return new LayerEntry(Whiteouts.markerPath(cleanPath(path)), Type.FILE, 0644, 0, 0, null, 0,
                InputStream::nullInputStream, null, 0, 0, null);
    }

    /** The marker making directory {@code dir} opaque ({@code dir/.wh..wh..opq}). */
    public static LayerEntry opaque(String dir) {
        return new LayerEntry(Whiteouts.opaqueMarkerPath(cleanPath(dir)), Type.FILE, 0644, 0, 0, null, 0,
                InputStream::nullInputStream, null, 0, 0, null);
    }

    public static LayerEntry device(String path, Type type, int major, int minor) {
        return new LayerEntry(path, type, 0644, 0, 0, null, 0, null, null, major, minor, null);
    }

    public LayerEntry withMode(int newMode) {
        return new LayerEntry(path, type, newMode, uid, gid, mtime, size, content, linkTarget, devMajor, devMinor,
                xattrs);
    }

    public LayerEntry withOwner(int newUid, int newGid) {
        return new LayerEntry(path, type, mode, newUid, newGid, mtime, size, content, linkTarget, devMajor, devMinor,
                xattrs);
    }

    public LayerEntry withMtime(Instant newMtime) {
        return new LayerEntry(path, type, mode, uid, gid, newMtime, size, content, linkTarget, devMajor, devMinor,
                xattrs);
    }

    public LayerEntry withXattrs(Map<String, byte[]> newXattrs) {
        return new LayerEntry(path, type, mode, uid, gid, mtime, size, content, linkTarget, devMajor, devMinor,
                newXattrs);
    }

    /** Orders paths as a sorted depth-first walk does: a directory, then its children by name (bytes). */
    static int compareByComponents(String a, String b) {
        if (FileNames.isAscii(a) && FileNames.isAscii(b)) {
            // a slash sorts before every byte a name can hold: comparing the paths with it as the
            // lowest byte is comparing them component by component
            int n = Math.min(a.length(), b.length());
            for (int i = 0; i < n; i++) {
                char ca = a.charAt(i);
                char cb = b.charAt(i);
                if (ca != cb) {
                    return (ca == '/' ? 0 : ca) - (cb == '/' ? 0 : cb);
                }
            }
            return a.length() - b.length();
        }
        String[] pa = a.split("/");
        String[] pb = b.split("/");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = FileNames.compare(pa[i], pb[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pa.length, pb.length);
    }
}
