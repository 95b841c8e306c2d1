package dev.kiln.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.FileReads;
import dev.kiln.oci.layer.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link FileReads} through libc, for snapshots: {@code statx} without following a symlink,
 * {@code llistxattr}/{@code lgetxattr}, and content through {@code open(O_NOFOLLOW)} and
 * {@code read} into a native buffer kept per thread; one syscall each and little Java around them
 * (java.nio builds an attribute map per lstat, opens and closes a file to list its xattrs, and
 * wraps every file it reads in a channel and a stream). The answers are java.nio's
 * ({@code JavaFileReads}), so the layers are the same bytes.
 */
public final class NativeFileReads implements FileReads {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_SIZE = 256;
    private static final int ERANGE = 34;
    private static final byte[] USER = {'u', 's', 'e', 'r', '.'};
    /** O_NONBLOCK: a fifo put where the file was opens and reads as empty instead of waiting for a writer. */
    private static final int OPEN_FLAGS = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY
            | LibC.O_NONBLOCK;
    private static final int BUFFER = 64 * 1024;

    /** Each writing thread's read buffer (a layer is written on one thread). */
    private final ThreadLocal<Memory> buffers = ThreadLocal.withInitial(() -> new Memory(BUFFER));

    static {
        NativeBoot.configure();
        Native.register(NativeLibrary.getInstance("libc.so.6"));
    }

    private NativeFileReads() {}

    /** The native reader, or empty where libc or JNA cannot be loaded (java.nio's then). */
    public static Optional<FileReads> load() {
        try {
            return Optional.of(new NativeFileReads());
        } catch (LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statx);

    private static native long llistxattr(byte[] path, byte[] list, long size);

    private static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    private static native int open(byte[] path, int flags, int mode);

    @Override
    public Stat lstat(Path path) throws IOException {
        byte[] p = cPath(path);
        byte[] buf = new byte[STATX_SIZE];
        if (statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) != 0) {
            throw error(path, Native.getLastError());
        }
        // struct statx: nlink 16, uid 20, gid 24, mode 28 (u16), ino 32, size 40, mtime 112 (s64 seconds,
        // u32 nanoseconds), rdev major/minor 128/132, dev major/minor 136/140
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        return new Stat(Short.toUnsignedInt(b.getShort(28)), b.getInt(20), b.getInt(24),
                FileReads.makedev(Integer.toUnsignedLong(b.getInt(136)), Integer.toUnsignedLong(b.getInt(140))),
                b.getLong(32), b.getInt(16),
                FileReads.makedev(Integer.toUnsignedLong(b.getInt(128)), Integer.toUnsignedLong(b.getInt(132))),
                b.getLong(40), Instant.ofEpochSecond(b.getLong(112), Integer.toUnsignedLong(b.getInt(120))));
    }

    @Override
    public Map<String, byte[]> userXattrs(Path path) {
        byte[] p = cPath(path);
        byte[] list = xattr((buf, size) -> llistxattr(p, buf, size));
        if (list == null || list.length == 0) {
            return Map.of();
        }
        Map<String, byte[]> out = new TreeMap<>();
        for (int start = 0, end; start < list.length; start = end + 1) {
            end = start;
            while (end < list.length && list[end] != 0) {
                end++;
            }
            if (end - start > USER.length && Arrays.equals(list, start, start + USER.length, USER, 0, USER.length)) {
                byte[] name = Arrays.copyOfRange(list, start, end + 1); // with its NUL
                byte[] value = xattr((buf, size) -> lgetxattr(p, name, buf, size));
                if (value == null) {
                    return Map.of(); // gone or unreadable: as java.nio, none recorded
                }
                out.put(FileNames.decode(Arrays.copyOf(name, name.length - 1)), value);
            }
        }
        return out.isEmpty() ? Map.of() : out;
    }

    @Override
    public LayerEntry.Content content(Path path) {
        return () -> {
            int fd = open(cPath(path), OPEN_FLAGS, 0);
            if (fd < 0) {
                throw error(path, Native.getLastError());
            }
            return new FdInput(fd, buffers.get(), path);
        };
    }

    /** Reads a file descriptor through a native buffer, copying only what each read gave. */
    private static final class FdInput extends InputStream {
        private final Memory buffer;
        private final Path path;
        private int fd;

        FdInput(int fd, Memory buffer, Path path) {
            this.fd = fd;
            this.buffer = buffer;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            byte[] single = new byte[1];
            int n = read(single, 0, 1);
            return n == 1 ? single[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (fd < 0) {
                throw new IOException("stream closed");
            }
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            long n;
            int errno;
            do {
                n = LibC.read(fd, Pointer.nativeValue(buffer), Math.min(len, buffer.size()));
                errno = n < 0 ? Native.getLastError() : 0;
            } while (n < 0 && errno == LibC.EINTR);
            if (n < 0) {
                throw error(path, errno);
            }
            if (n == 0) {
                return -1;
            }
            buffer.read(0, b, off, (int) n);
            return (int) n;
        }

        @Override
        public void close() {
            if (fd >= 0) {
                LibC.close(fd);
                fd = -1;
            }
        }
    }

    /** A failed call's exception, as java.nio's would be: {@code NoSuchFileException} for ENOENT. */
    static IOException error(Path path, int errno) {
        if (errno == LibC.ENOENT) {
            return new NoSuchFileException(path.toString());
        }
        return new FileSystemException(path.toString(), null, Errno.describe(errno));
    }

    /** A call of the {@code *xattr} family that fills {@code buf} ({@code size} bytes; null and 0 ask for the size). */
    private interface XattrCall {
        long call(byte[] buf, long size);
    }

    /** What {@code call} fills in, in a buffer grown as it asks; null when it failed. */
    private static byte[] xattr(XattrCall call) {
        byte[] buf = new byte[256];
        for (int attempt = 0; attempt < 4; attempt++) {
            long n = call.call(buf, buf.length);
            if (n >= 0) {
                return Arrays.copyOf(buf, (int) n);
            }
            if (Native.getLastError() != ERANGE) {
                return null;
            }
            long size = call.call(null, 0);
            if (size < 0) {
                return null;
            }
            buf = new byte[(int) size];
        }
        return null;
    }

    /** The path's bytes, NUL-terminated. */
    private static byte[] cPath(Path path) {
        byte[] bytes = FileNames.encode(FileNames.text(path));
        return Arrays.copyOf(bytes, bytes.length + 1);
    }
}
