package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** {@link FileWrites} through java.nio: an output stream for the content, every attribute set by path, not followed. */
final class JavaFileWrites implements FileWrites {
    @Override
    public Handle create(Path path) throws IOException {
        return new PathHandle(path, Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    }

    /** The entry at {@code path}; {@code out} its content when this run created it as a file, else null. */
    record PathHandle(Path path, OutputStream out) implements Handle {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (out == null) {
                throw new IllegalStateException(path + " was not created as a file");
            }
            out.write(b, off, len);
        }

        @Override
        public void chown(int uid, int gid) throws IOException {
            JavaFileOps.chownPath(path, uid, gid);
        }

        @Override
        public void setMode(int mode) throws IOException {
            Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public void setTimes(Instant mtime) throws IOException {
            FileTime time = FileTime.from(mtime);
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(time, time, null);
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}
