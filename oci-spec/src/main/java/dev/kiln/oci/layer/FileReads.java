package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What writing a directory as a layer ({@link LayerWriter#writeDirectory}) reads of each entry,
 * never following a symlink: what lstat says, the {@code user.} extended attributes and a file's
 * content. {@link #JAVA} reads them through java.nio; the runtime module plugs in a native (JNA)
 * one that makes one syscall for each (java.nio lists xattrs through an opened file) and runs far
 * less Java per entry, which counts for a tree of tens of thousands of files on a JVM that has not
 * compiled these paths yet. Both give the same answers, so the layer is the same.
 */
public interface FileReads {
    /** java.nio's. */
    FileReads JAVA = new JavaFileReads();

    /**
     * What lstat says of one entry.
     *
     * @param dev  the device of the file system holding it (only compared with other entries')
     * @param rdev for a device node, its number in glibc's {@code dev_t} encoding ({@code gnu_dev_makedev})
     */
    record Stat(int mode, int uid, int gid, long dev, long ino, int nlink, long rdev, long size, Instant mtime) {}

    /** lstat of {@code path}. */
    Stat lstat(Path path) throws IOException;

    /**
     * The {@code user.} xattrs of {@code path} (not followed) by full name ({@code user.foo}); empty
     * when it has none, its file system keeps none, or they cannot be read (as they would not be
     * for the layer).
     */
    Map<String, byte[]> userXattrs(Path path);

    /**
     * The content of the regular file at {@code path}, opened when the layer is written: a symlink
     * put there since the scan is not followed (the open fails).
     */
    LayerEntry.Content content(Path path);

    /** glibc's {@code gnu_dev_makedev}: the {@code dev_t} of device {@code major}:{@code minor}. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
    }
}
