package dev.kiln.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.FileWrites;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@link FileWrites} through libc, for layer extraction: the file is created with
 * {@code open(O_CREAT|O_EXCL|O_NOFOLLOW)} and everything else goes through that descriptor
 * ({@code write} from a native buffer kept per thread, {@code fchown}, {@code fchmod},
 * {@code futimens}, {@code close}): five system calls and the writes, where java.nio makes eleven
 * (its owner, mode and times are set by path, the mode and times each opening the file again).
 * The file is created with mode 0600 and always given its mode by {@code fchmod}, so the process
 * umask (which another thread may change for a moment) does not matter. Same tree as java.nio's
 * ({@code JavaFileWrites}).
 */
public final class NativeFileWrites implements FileWrites {
    private static final int OPEN_FLAGS = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW
            | LibC.O_CLOEXEC | LibC.O_NOCTTY;
    private static final int CREATE_MODE = 0600;
    private static final int BUFFER = 64 * 1024;

    /** Each extracting thread's write buffer (a layer is extracted on one thread). */
    private final ThreadLocal<Memory> buffers = ThreadLocal.withInitial(() -> new Memory(BUFFER));

    static {
        NativeBoot.configure();
        Native.register(NativeLibrary.getInstance("libc.so.6"));
    }

    private NativeFileWrites() {}

    /** The native writer, or empty where libc or JNA cannot be loaded (java.nio's then). */
    public static Optional<FileWrites> load() {
        try {
            return Optional.of(new NativeFileWrites());
        } catch (LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static native int open(byte[] path, int flags, int mode);

    private static native int fchown(int fd, int uid, int gid);

    private static native int fchmod(int fd, int mode);

    /** {@code times}: access and modification time as two {@code struct timespec} (seconds, nanoseconds). */
    private static native int futimens(int fd, long[] times);

    @Override
    public Handle create(Path path) throws IOException {
        byte[] name = FileNames.encode(FileNames.text(path));
        int fd;
        int errno;
        do {
            fd = open(Arrays.copyOf(name, name.length + 1), OPEN_FLAGS, CREATE_MODE);
            errno = fd < 0 ? Native.getLastError() : 0;
        } while (fd < 0 && errno == LibC.EINTR);
        if (fd < 0) {
            throw errno == LibC.EEXIST ? new FileAlreadyExistsException(path.toString()) : NativeFileReads.error(path, errno);
        }
        return new FdHandle(path, fd, buffers.get());
    }

    /** A created file by its descriptor. */
    private static final class FdHandle implements Handle {
        private final Path path;
        private final Memory buffer;
        private int fd;

        FdHandle(Path path, int fd, Memory buffer) {
            this.path = path;
            this.fd = fd;
            this.buffer = buffer;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            open();
            while (len > 0) {
                int chunk = (int) Math.min(len, buffer.size());
                buffer.write(0, b, off, chunk);
                for (int done = 0; done < chunk; ) {
                    long n = LibC.write(fd, Pointer.nativeValue(buffer) + done, chunk - done);
                    if (n < 0) {
                        int errno = Native.getLastError();
                        if (errno != LibC.EINTR) {
                            throw NativeFileReads.error(path, errno);
                        }
                    } else {
                        done += (int) n;
                    }
                }
                off += chunk;
                len -= chunk;
            }
        }

        @Override
        public void chown(int uid, int gid) throws IOException {
            check(fchown(open(), uid, gid));
        }

        @Override
        public void setMode(int mode) throws IOException {
            check(fchmod(open(), mode));
        }

        @Override
        public void setTimes(Instant mtime) throws IOException {
            long s = mtime.getEpochSecond();
            long ns = mtime.getNano();
            check(futimens(open(), new long[] {s, ns, s, ns}));
        }

        @Override
        public void close() throws IOException {
            if (fd >= 0) {
                int rc = LibC.close(fd);
                int errno = rc < 0 ? Native.getLastError() : 0;
                fd = -1;
                // EINTR from close still closed the descriptor on Linux: nothing to retry
                if (rc < 0 && errno != LibC.EINTR) {
                    throw NativeFileReads.error(path, errno);
                }
            }
        }

        private int open() throws IOException {
            if (fd < 0) {
                throw new IOException(path + ": closed");
            }
            return fd;
        }

        private void check(int rc) throws IOException {
            if (rc < 0) {
                throw NativeFileReads.error(path, Native.getLastError());
            }
        }
    }
}
