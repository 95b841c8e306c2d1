package dev.kiln.oci.layer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * How extraction ({@link LayerExtractor}) creates a regular file and sets its metadata. {@link #JAVA}
 * goes through java.nio, which has no {@code fchown}/{@code fchmod}/{@code futimens}: each of
 * owner, mode and mtime is set by path (opening the file again for the mode and for the times).
 * The runtime module plugs in a native (JNA) one that does all of it through the descriptor the
 * file was created with: about half the system calls per file, for a base layer of ten thousand
 * files. Both give the same tree.
 */
public interface FileWrites {
    /** java.nio's. */
    FileWrites JAVA = new JavaFileWrites();

    /**
     * Creates the regular file {@code path} for writing, never following a symlink there and never
     * opening what is there already ({@code O_CREAT|O_EXCL|O_NOFOLLOW}: anything at {@code path},
     * a dangling symlink too, fails with {@link java.nio.file.FileAlreadyExistsException}).
     */
    Handle create(Path path) throws IOException;

    /** The entry at {@code path} (a directory, symlink or device node extraction made), by path. */
    static Handle at(Path path) {
        return new JavaFileWrites.PathHandle(path, null);
    }

    /**
     * A file {@link #create} made, open until {@link #close}: its content and metadata (the mode is
     * always set explicitly: what the file is created with is not its final mode). Or, from
     * {@link #at}, an entry extraction made otherwise, whose metadata is set by path without
     * following a symlink.
     */
    interface Handle extends Closeable {
        Path path();

        void write(byte[] b, int off, int len) throws IOException;

        /** Sets owner and group (which clears setuid and setgid bits: set the mode after). */
        void chown(int uid, int gid) throws IOException;

        /** Sets the permission bits, setuid, setgid and sticky included. */
        void setMode(int mode) throws IOException;

        /** Sets the modification time and the access time to {@code mtime}. */
        void setTimes(Instant mtime) throws IOException;

        @Override
        void close() throws IOException;
    }
}
