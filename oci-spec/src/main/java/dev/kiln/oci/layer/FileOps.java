package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The file operations extraction needs that plain Java cannot always do: ownership, extended
 * attributes outside the {@code user.} namespace, device nodes. The runtime module plugs in a
 * native (JNA) implementation; {@link JavaFileOps} does what java.nio can. An operation that is not
 * permitted throws {@link UnsupportedOperationException} or an IOException; the extractor then
 * records the entry as skipped and goes on.
 */
public interface FileOps {
    /** Sets owner and group of {@code path} without following a symlink. */
    void chown(Path path, int uid, int gid) throws IOException;

    /**
     * Sets owner and group of the entry extraction holds as {@code file} (for a file it created,
     * open). By path unless an implementation knows its chown is the disk's ({@link JavaFileOps}
     * lets the handle do it, through the file's descriptor where there is one).
     */
    default void chown(FileWrites.Handle file, int uid, int gid) throws IOException {
        chown(file.path(), uid, gid);
    }

    /** Sets an extended attribute (full name, e.g. {@code user.foo}, {@code security.capability}). */
    void setXattr(Path path, String name, byte[] value) throws IOException;

    /**
     * Creates a device node or fifo.
     *
     * @param type {@code 'c'} character device, {@code 'b'} block device, {@code 'p'} fifo
     */
    void mknod(Path path, char type, int mode, int major, int minor) throws IOException;
}
