package dev.kiln.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * File operations on descriptors and raw byte paths, for code that must not let the JVM's charset
 * or symlink rules near a path: the chown recorder resolves a container's paths inside its root
 * ({@code openat2} with {@code RESOLVE_IN_ROOT}) and works on the {@code O_PATH} descriptor it
 * gets. Failures throw {@link Syscalls.ErrnoException} with the errno.
 */
public final class FdFiles {
    public static final int S_IFMT = 0170000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFDIR = 0040000;
    public static final int ENOENT = LibC.ENOENT;
    public static final int ENODATA = LibC.ENODATA;
    private static final long RESOLVE_IN_ROOT = LibC.RESOLVE_IN_ROOT;
    private static final int STATX_BASIC_STATS = 0x7ff;

    private FdFiles() {}

    /** An {@code O_PATH} descriptor of {@code path} (an ASCII /proc path), following links. */
    public static int openPath(String path) throws IOException {
        LibC.load();
        int fd = LibC.open(address(cString(path.getBytes(StandardCharsets.US_ASCII))), LibC.O_PATH | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw error("open " + path, Native.getLastError());
        }
        return fd;
    }

    /** An {@code O_PATH} descriptor of the absolute {@code path}; a final symlink is opened itself. */
    public static int openNoFollow(byte[] path) throws IOException {
        LibC.load();
        int fd = LibC.open(address(cString(path)), LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw error("open", Native.getLastError());
        }
        return fd;
    }

    /**
     * An {@code O_PATH} descriptor of {@code path} resolved as if {@code rootFd} were the root
     * directory: neither {@code ..} nor an absolute symlink leads out. {@code noFollow}: a final
     * symlink is opened itself.
     */
    public static int openInRoot(int rootFd, byte[] path, boolean noFollow) throws IOException {
        LibC.load();
        Memory how = new Memory(24);
        how.setLong(0, LibC.O_PATH | LibC.O_CLOEXEC | (noFollow ? LibC.O_NOFOLLOW : 0));
        how.setLong(8, 0);
        how.setLong(16, RESOLVE_IN_ROOT);
        long fd = LibC.syscall(LibC.SYS_OPENAT2, rootFd, address(cString(path)), address(how), 24, 0);
        if (fd < 0) {
            throw error("openat2", Native.getLastError());
        }
        return (int) fd;
    }

    /** The target of a symlink (e.g. a /proc magic link), as bytes. */
    public static byte[] readlink(String path) throws IOException {
        LibC.load();
        Memory buf = new Memory(4097);
        long n = LibC.readlink(address(cString(path.getBytes(StandardCharsets.US_ASCII))), address(buf), 4096);
        if (n < 0) {
            throw error("readlink " + path, Native.getLastError());
        }
        return buf.getByteArray(0, (int) n);
    }

    /**
     * {@code fchownat(fd, "", -1, -1, AT_EMPTY_PATH)}: changes no id, but does everything else a
     * chown does (overlay copies the file up; setuid bits are cleared), with the errno a chown of
     * this file would get.
     */
    public static void chownKeepingIds(int fd) throws IOException {
        LibC.load();
        Memory empty = new Memory(1);
        empty.setByte(0, (byte) 0);
        if (LibC.syscall(LibC.SYS_FCHOWNAT, fd, address(empty), 0xffffffffL, 0xffffffffL, LibC.AT_EMPTY_PATH) < 0) {
            throw error("fchownat", Native.getLastError());
        }
    }

    /** What {@link #stat} tells: type and permission bits, owner, inode number. */
    public record Stat(int mode, int uid, int gid, long ino) {
        public boolean isSymlink() {
            return (mode & S_IFMT) == S_IFLNK;
        }
    }

    /** Of what {@code fd} refers to (a symlink itself, for an O_PATH|O_NOFOLLOW one). */
    public static Stat stat(int fd) throws IOException {
        LibC.load();
        Memory empty = new Memory(1);
        empty.setByte(0, (byte) 0);
        Memory statx = new Memory(256);
        if (LibC.syscall(LibC.SYS_STATX, fd, address(empty), LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW,
                STATX_BASIC_STATS, address(statx)) < 0) {
            throw error("statx", Native.getLastError());
        }
        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode at 28, stx_ino at 32
        return new Stat(Short.toUnsignedInt(statx.getShort(28)), statx.getInt(20), statx.getInt(24),
                statx.getLong(32));
    }

    /** The value of xattr {@code name} of what {@code fd} refers to; null when it has none. */
    public static byte[] getXattr(int fd, String name) throws IOException {
        LibC.load();
        Memory buf = new Memory(256);
        long n = LibC.getxattr(address(cString(procFd(fd))), address(cString(ascii(name))), address(buf), 256);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == LibC.ENODATA) {
                return null;
            }
            throw error("getxattr " + name, errno);
        }
        return buf.getByteArray(0, (int) n);
    }

    /** Sets xattr {@code name} of what {@code fd} refers to (through {@code /proc/self/fd}). */
    public static void setXattr(int fd, String name, byte[] value) throws IOException {
        LibC.load();
        Memory v = new Memory(Math.max(1, value.length));
        v.write(0, value, 0, value.length);
        if (LibC.setxattr(address(cString(procFd(fd))), address(cString(ascii(name))), address(v), value.length, 0) < 0) {
            throw error("setxattr " + name, Native.getLastError());
        }
    }

    /** Removes xattr {@code name}; no error when it is not there. */
    public static void removeXattr(int fd, String name) throws IOException {
        LibC.load();
        if (LibC.removexattr(address(cString(procFd(fd))), address(cString(ascii(name)))) < 0) {
            int errno = Native.getLastError();
            if (errno != LibC.ENODATA) {
                throw error("removexattr " + name, errno);
            }
        }
    }

    public static void close(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    private static byte[] procFd(int fd) {
        return ascii("/proc/self/fd/" + fd);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Memory cString(byte[] b) {
        return Syscalls.cString(b);
    }

    private static long address(Memory m) {
        return Syscalls.address(m);
    }

    private static IOException error(String what, int errno) {
        return new Syscalls.ErrnoException(what + ": " + Errno.describe(errno), errno);
    }
}
