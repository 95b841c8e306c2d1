package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        xattrs = xattrs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
    }

    static String cleanPath(String raw) {
        List<String> parts = SafeRoot.components(raw);
        if (parts.isEmpty()) {
            throw new LayerException("layer entry path '" + raw + "' names the root");
        }
        return String.join("/", parts);
    }

    public static LayerEntry file(String path, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new LayerEntry(path, Type.FILE, 0644, 0, 0, null, copy.length, () -> new ByteArrayInputStream(copy),
                null, 0, 0, null);
    }

    /** A file whose content is read from {@code source} when written. */
    public static LayerEntry file(String path, Path source) throws IOException {
        return new LayerEntry(path, Type.FILE, 0644, 0, 0, null, Files.size(source), () -> Files.newInputStream(source),
                null, 0, 0, null);
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
