package dev.kiln.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * kiln's end of a seccomp user notification for one container: the filter the child installs
 * ({@link #filter()}: chown, fchown, lchown and fchownat of the native architecture wait for kiln),
 * the unix socket the child sends its listener over, and the listener itself: {@link #next()}
 * receives a call, {@link #reply} answers it. Used by one thread; not thread-safe.
 */
public final class ChownListener implements AutoCloseable {
    public static final int INSTRUCTION_BYTES = 8;
    /** Longest socket path a sockaddr_un holds, without its NUL. */
    public static final int MAX_SOCKET_PATH = 107;

    // <linux/seccomp.h>, <linux/audit.h>, <linux/filter.h>
    private static final int AUDIT_ARCH = LibC.AARCH64 ? 0xC00000B7 : 0xC000003E;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_USER_NOTIF = 0x7fc00000;
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short RET_K = 0x06;
    private static final long IOCTL_RECV = 0xc0502100L;
    private static final long IOCTL_SEND = 0xc0182101L;
    private static final long IOCTL_ID_VALID = 0x40082102L;
    private static final int NOTIF_SIZE = 80;
    private static final int RESP_SIZE = 24;
    private static final int FLAG_CONTINUE = 1;

    /**
     * The calls the filter reports, with this architecture's numbers (aarch64 has only the fd forms
     * of chown); {@code identity} ones only when the container's user is faked.
     */
    public enum Call {
        CHOWN(LibC.AARCH64 ? -1 : 92, false), FCHOWN(LibC.AARCH64 ? 55 : 93, false),
        LCHOWN(LibC.AARCH64 ? -1 : 94, false), FCHOWNAT(LibC.AARCH64 ? 54 : 260, false),
        GETUID(LibC.AARCH64 ? 174 : 102, true), GETEUID(LibC.AARCH64 ? 175 : 107, true),
        GETGID(LibC.AARCH64 ? 176 : 104, true), GETEGID(LibC.AARCH64 ? 177 : 108, true),
        GETRESUID(LibC.AARCH64 ? 148 : 118, true), GETRESGID(LibC.AARCH64 ? 150 : 120, true),
        GETGROUPS(LibC.AARCH64 ? 158 : 115, true);

        final int nr;
        final boolean identity;

        Call(int nr, boolean identity) {
            this.nr = nr;
            this.identity = identity;
        }

        public boolean identity() {
            return identity;
        }

        static Call of(int nr) {
            for (Call c : values()) {
                if (c.nr == nr) {
                    return c;
                }
            }
            return null;
        }
    }

    /** One reported call: {@code call} is null for a number the filter should not have sent. */
    public record Notification(long id, int pid, Call call, long[] args) {}

    private final int server;
    private final Path socket;
    private final Memory notif = new Memory(NOTIF_SIZE);
    private final Memory resp = new Memory(RESP_SIZE);
    private final Memory pollFd = new Memory(8);
    private final Memory idWord = new Memory(8);
    private int listener = -1;

    private ChownListener(int server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    /**
     * The classic BPF program: other architectures (x32, i386) and other calls pass; the chown
     * calls, and with {@code identity} the calls that read the process's ids, return
     * SECCOMP_RET_USER_NOTIF.
     */
    public static byte[] filter(boolean identity) {
        Call[] calls = java.util.Arrays.stream(Call.values()).filter(c -> c.nr >= 0 && (identity || !c.identity))
                .toArray(Call[]::new);
        int k = calls.length;
        ByteBuffer b = ByteBuffer.allocate((6 + k) * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        insn(b, LD_W_ABS, 0, 0, 4); // seccomp_data.arch
        insn(b, JEQ_K, 1, 0, AUDIT_ARCH);
        insn(b, RET_K, 0, 0, RET_ALLOW);
        insn(b, LD_W_ABS, 0, 0, 0); // seccomp_data.nr
        for (int i = 0; i < k; i++) {
            insn(b, JEQ_K, k - i, 0, calls[i].nr);
        }
        insn(b, RET_K, 0, 0, RET_ALLOW);
        insn(b, RET_K, 0, 0, RET_USER_NOTIF);
        return b.array();
    }

    private static void insn(ByteBuffer b, short code, int jt, int jf, int k) {
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }

    /** A sockaddr_un for {@code path}. */
    static byte[] sockaddr(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket path longer than " + MAX_SOCKET_PATH + " bytes: " + path);
        }
        ByteBuffer b = ByteBuffer.allocate(2 + name.length + 1).order(ByteOrder.nativeOrder());
        b.putShort((short) LibC.AF_UNIX).put(name).put((byte) 0);
        return b.array();
    }

    /** Listens on a new unix socket at {@code socket} for one child's listener. */
    public static ChownListener bind(Path socket) throws IOException {
        LibC.load();
        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw error("socket", Native.getLastError());
        }
        byte[] addr = sockaddr(socket.toString());
        Memory m = new Memory(addr.length);
        m.write(0, addr, 0, addr.length);
        if (LibC.syscall(LibC.SYS_BIND, fd, Pointer.nativeValue(m), addr.length, 0, 0) < 0
                || LibC.syscall(LibC.SYS_LISTEN, fd, 1, 0, 0, 0) < 0) {
            int errno = Native.getLastError();
            LibC.close(fd);
            throw error("bind " + socket, errno);
        }
        return new ChownListener(fd, socket);
    }

    public Path socket() {
        return socket;
    }

    /**
     * Takes the listener the child sent. Call it once the child has exec'd: it sent the listener
     * before, so nothing here blocks.
     */
    public void receive() throws IOException {
        long conn = LibC.syscall(LibC.SYS_ACCEPT4, server, 0, 0, LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
        if (conn < 0) {
            throw error("accept the container's seccomp listener", Native.getLastError());
        }
        try {
            Memory msg = new Memory(128);
            msg.clear();
            long base = Pointer.nativeValue(msg);
            msg.setLong(16, base + 56); // msg_iov
            msg.setLong(24, 1);
            msg.setLong(32, base + 72); // msg_control
            msg.setLong(40, 24);
            msg.setLong(56, base + 96); // iov_base
            msg.setLong(64, 1);
            if (LibC.syscall(LibC.SYS_RECVMSG, conn, base, 0, 0, 0) < 1) {
                throw error("receive the container's seccomp listener", Native.getLastError());
            }
            if (msg.getLong(40) < 20 || msg.getInt(80) != LibC.SOL_SOCKET || msg.getInt(84) != LibC.SCM_RIGHTS) {
                throw new IOException("the container sent no seccomp listener");
            }
            listener = msg.getInt(88);
        } finally {
            LibC.close((int) conn);
        }
    }

    /**
     * Waits for the next call; null once every process under the filter has exited (the listener
     * reports POLLHUP or ENOENT).
     */
    public Notification next() throws IOException {
        while (true) {
            pollFd.setInt(0, listener);
            pollFd.setInt(4, LibC.POLLIN);
            int n = LibC.poll(Pointer.nativeValue(pollFd), 1, -1);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw error("poll the seccomp listener", errno);
            }
            short revents = pollFd.getShort(6);
            if ((revents & LibC.POLLIN) == 0 && (revents & LibC.POLLHUP) != 0) {
                return null;
            }
            notif.clear();
            if (LibC.ioctl(listener, IOCTL_RECV, Pointer.nativeValue(notif)) < 0) {
                int errno = Native.getLastError();
                if (errno == LibC.EINTR || errno == LibC.ENOENT && (revents & LibC.POLLHUP) == 0) {
                    continue; // the caller was killed before we took its call
                }
                if (errno == LibC.ENOENT) {
                    return null;
                }
                throw error("receive a seccomp notification", errno);
            }
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = notif.getLong(32 + 8L * i);
            }
            return new Notification(notif.getLong(0), notif.getInt(8), Call.of(notif.getInt(16)), args);
        }
    }

    /** True while the call {@code id} still waits (its process was not killed, its pid not reused). */
    public boolean valid(long id) {
        idWord.setLong(0, id);
        return LibC.ioctl(listener, IOCTL_ID_VALID, Pointer.nativeValue(idWord)) == 0;
    }

    /** Answers {@code id}: 0 for success, else the errno the call fails with. */
    public void reply(long id, int errno) {
        send(id, 0, errno == 0 ? 0 : -errno, 0);
    }

    /** Answers {@code id} with success and the return value {@code value}. */
    public void replyValue(long id, long value) {
        send(id, value, 0, 0);
    }

    /** Lets the kernel perform the call {@code id} as if there were no filter. */
    public void proceed(long id) {
        send(id, 0, 0, FLAG_CONTINUE);
    }

    private void send(long id, long value, int error, int flags) {
        resp.clear();
        resp.setLong(0, id);
        resp.setLong(8, value);
        resp.setInt(16, error);
        resp.setInt(20, flags);
        // ENOENT: the caller died meanwhile; nothing to answer
        LibC.ioctl(listener, IOCTL_SEND, Pointer.nativeValue(resp));
    }

    @Override
    public void close() {
        if (listener >= 0) {
            LibC.close(listener);
            listener = -1;
        }
        LibC.close(server);
    }

    private static IOException error(String what, int errno) {
        return new Syscalls.ErrnoException(what + ": " + Errno.describe(errno), errno);
    }
}
