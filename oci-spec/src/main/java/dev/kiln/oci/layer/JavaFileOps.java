package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * {@link FileOps} through java.nio: {@code chown} via the {@code unix:uid} attribute (works for
 * root, or root in a user namespace; a created file's {@link FileWrites.Handle} chowns it its own way),
 * {@code user.*} xattrs only, no device nodes.
 */
public final class JavaFileOps implements FileOps {
    @Override
    public void chown(Path path, int uid, int gid) throws IOException {
        chownPath(path, uid, gid);
    }

    /** Through the handle: by its descriptor where it has one. */
    @Override
    public void chown(FileWrites.Handle file, int uid, int gid) throws IOException {
        file.chown(uid, gid);
    }

    static void chownPath(Path path, int uid, int gid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws IOException {
        if (!name.startsWith("user.")) {
            throw new UnsupportedOperationException("xattr " + name + " needs native support");
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new UnsupportedOperationException("extended attributes are not supported here");
        }
        view.write(name.substring("user.".length()), ByteBuffer.wrap(value));
    }

    @Override
    public void mknod(Path path, char type, int mode, int major, int minor) {
        throw new UnsupportedOperationException("device nodes need native support");
    }
}
