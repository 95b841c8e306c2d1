package dev.kiln.runtime.linux;

import dev.kiln.oci.files.FileNames;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The few system calls the rest of kiln needs directly (outside a cloned child), with Java
 * arguments and {@link IOException}s carrying the errno name.
 */
public final class Syscalls {
    public static final int SIGINT = 2;
    public static final int SIGKILL = LibC.SIGKILL;
    public static final int SIGTERM = LibC.SIGTERM;

    private Syscalls() {}

    public static void mkfifo(Path path, int mode) throws IOException {
        check(LibC.mkfifo(address(cString(FileNames.text(path))), mode), "mkfifo", path);
    }

    /** A character device node {@code major:minor} (0:0 is overlay's whiteout). */
    public static void mknodChar(Path path, int mode, int major, int minor) throws IOException {
        long dev = ((long) (major & 0xfff) << 8) | (minor & 0xff);
        check(LibC.mknod(address(cString(FileNames.text(path))), LibC.S_IFCHR | (mode & 07777), dev),
                "mknod", path);
    }

    /** Opens {@code path} read-only (close-on-exec); the raw descriptor, to {@link #close} later. */
    public static int openReadOnly(Path path) throws IOException {
        int fd = LibC.open(address(cString(FileNames.text(path))), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        check(fd, "open", path);
        return fd;
    }

    /** syncfs(2): writes the dirty data and metadata of the file system {@code path} is on. */
    public static void syncFileSystem(Path path) throws IOException {
        int fd = openReadOnly(path);
        try {
            check(LibC.syncfs(fd), "syncfs", path);
        } finally {
            LibC.close(fd);
        }
    }

    public static void close(int fd) {
        LibC.load();
        LibC.close(fd);
    }

    /** Sends {@code signal}; false when the process is gone. */
    public static boolean kill(int pid, int signal) {
        LibC.load();
        return LibC.kill(pid, signal) == 0;
    }

    public static int geteuid() {
        LibC.load();
        return LibC.geteuid();
    }

    public static int getuid() {
        LibC.load();
        return LibC.getuid();
    }

    public static int getgid() {
        LibC.load();
        return LibC.getgid();
    }

    /** Whether {@code fd} (e.g. 2 for stderr) is a terminal. */
    public static boolean isatty(int fd) {
        LibC.load();
        return LibC.isatty(fd) == 1;
    }

    /**
     * The terminal's size as {@code {rows, columns}} (TIOCGWINSZ), or null when {@code fd} is no
     * terminal or the terminal does not know its size (both zero, as under {@code script}).
     */
    public static int[] windowSize(int fd) {
        LibC.load();
        Memory winsize = new Memory(8); // struct winsize: unsigned short row, col, xpixel, ypixel
        winsize.clear();
        if (LibC.ioctl(fd, LibC.TIOCGWINSZ, address(winsize)) != 0) {
            return null;
        }
        int rows = Short.toUnsignedInt(winsize.getShort(0));
        int cols = Short.toUnsignedInt(winsize.getShort(2));
        return rows == 0 && cols == 0 ? null : new int[] {rows, cols};
    }

    /** {@code s} as the kernel takes it: the bytes of its {@link FileNames} text form, NUL-terminated. */
    private static Memory cString(String s) {
        return cString(FileNames.encode(s));
    }

    /** A NUL-terminated native copy of {@code b}. */
    static Memory cString(byte[] b) {
        LibC.load();
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }

    static long address(Memory m) {
        return Pointer.nativeValue(m);
    }

    private static void check(int rc, String call, Path path) throws IOException {
        if (rc < 0) {
            int errno = Native.getLastError();
            throw new ErrnoException(call + " " + path + ": " + Errno.describe(errno), errno);
        }
    }

    /** An I/O failure with the errno that caused it. */
    public static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public ErrnoException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
