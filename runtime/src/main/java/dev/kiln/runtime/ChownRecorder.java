package dev.kiln.runtime;

import dev.kiln.runtime.linux.ChownListener;
import dev.kiln.runtime.linux.ChownListener.Call;
import dev.kiln.runtime.linux.ChownListener.Notification;
import dev.kiln.runtime.linux.FdFiles;
import dev.kiln.runtime.linux.Syscalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Makes {@code chown} succeed in a container where kiln's user namespace maps only root, and
 * records the owner asked for as an {@link OwnerTags} tag for the snapshot. Bookkeeping, not a
 * security boundary: the container is root over the same files either way.
 *
 * <p>The container's process installs {@link ChownListener#filter()} just before exec and sends
 * the listener here; a thread of kiln's JVM (never the spawner) takes each chown, fchown, lchown
 * and fchownat call, resolves its target as the kernel would — the path read from
 * {@code /proc/PID/mem}, relative to {@code /proc/PID/cwd} or the directory descriptor, resolved
 * inside {@code /proc/PID/root} by {@code openat2(RESOLVE_IN_ROOT)} (so no symlink of the image
 * leads to a host file), the final symlink followed or not as the call says, {@code AT_EMPTY_PATH}
 * and fchown on the descriptor itself — then does a chown that keeps the ids (overlay copies the
 * file up, setuid bits are cleared, errors are the kernel's own: ENOENT, EROFS), writes the tag
 * (ids of -1 keep the recorded ones) and answers success. A call it cannot place (a working
 * directory outside the process's root) goes on to the kernel unchanged.
 *
 * <p>For a container whose user is not mapped, the process runs as root and the filter also
 * reports the getuid family, which the recorder answers with that user's ids.
 */
final class ChownRecorder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChownRecorder.class.getName());
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int EFAULT = 14;
    private static final int EINVAL = 22;
    private static final int ENAMETOOLONG = 36;
    private static final int PATH_MAX = 4096;

    private final ChownListener listener;
    private final User faked;
    /** Completes when the recorder has stopped serving; null until started. */
    private CompletableFuture<Void> served;
    private volatile long calls;

    private ChownRecorder(ChownListener listener, User faked) {
        this.listener = listener;
        this.faked = faked;
    }

    /**
     * Listens at {@code socket} (at most {@link ChownListener#MAX_SOCKET_PATH} bytes). {@code faked}:
     * the user whose ids the container's getuid-like calls report (it runs as root), or null.
     */
    static ChownRecorder listen(Path socket, User faked) throws IOException {
        return new ChownRecorder(ChownListener.bind(socket), faked);
    }

    boolean fakesIdentity() {
        return faked != null;
    }

    static boolean fits(Path socket) {
        return socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                <= ChownListener.MAX_SOCKET_PATH;
    }

    String socket() {
        return listener.socket().toString();
    }

    /**
     * Takes the listener the container sent before exec and starts answering its calls on one of
     * {@code threads} (which must not queue it behind other work).
     */
    void start(Executor threads) throws IOException {
        listener.receive();
        served = CompletableFuture.runAsync(this::serve, threads);
    }

    /** Waits until every process of the container has gone (the filter is released). */
    void awaitEnd() {
        if (served == null) {
            return;
        }
        served.join();
        LOG.log(Level.DEBUG, "chown calls recorded: {0}, answered in {1} ms", calls, busyNanos / 1_000_000);
    }

    long calls() {
        return calls;
    }

    private void serve() {
        try {
            Notification n;
            while ((n = listener.next()) != null) {
                answer(n);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "kiln stopped recording chown calls of a container: {0}", e.getMessage());
        } finally {
            listener.close();
        }
    }

    /** Time spent answering, for the debug log; written by the recorder's thread only. */
    private volatile long busyNanos;

    void answer(Notification n) {
        long t0 = System.nanoTime();
        try {
            answer0(n);
        } finally {
            busyNanos += System.nanoTime() - t0;
        }
    }

    private void answer0(Notification n) {
        calls++;
        if (n.call() == null || n.call().identity() && faked == null) {
            listener.proceed(n.id());
            return;
        }
        if (n.call().identity()) {
            identity(n);
            return;
        }
        try {
            int errno = record(n);
            listener.reply(n.id(), errno);
        } catch (Unplaceable e) {
            LOG.log(Level.DEBUG, "chown by pid {0} left to the kernel: {1}", n.pid(), e.getMessage());
            listener.proceed(n.id());
        }
    }

    /** Answers a getuid-like call with the faked user's ids. */
    private void identity(Notification n) {
        long[] a = n.args();
        switch (n.call()) {
            case GETUID, GETEUID -> listener.replyValue(n.id(), faked.uid());
            case GETGID, GETEGID -> listener.replyValue(n.id(), faked.gid());
            case GETRESUID, GETRESGID -> {
                int id = n.call() == Call.GETRESUID ? faked.uid() : faked.gid();
                listener.reply(n.id(), writeInts(n, new long[] {a[0], a[1], a[2]}, id));
            }
            case GETGROUPS -> {
                List<Integer> groups = faked.groups();
                int size = (int) a[0];
                if (size == 0) {
                    listener.replyValue(n.id(), groups.size());
                } else if (size < groups.size()) {
                    listener.reply(n.id(), EINVAL);
                } else {
                    int errno = 0;
                    for (int i = 0; i < groups.size() && errno == 0; i++) {
                        errno = writeInts(n, new long[] {a[1] + 4L * i}, groups.get(i));
                    }
                    if (errno == 0) {
                        listener.replyValue(n.id(), groups.size());
                    } else {
                        listener.reply(n.id(), errno);
                    }
                }
            }
            default -> listener.proceed(n.id());
        }
    }

    /** Writes {@code value} as a 32-bit int at each address of {@code n}'s process; an errno. */
    private int writeInts(Notification n, long[] addresses, int value) {
        byte[] le = {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + n.pid() + "/mem", "rw")) {
            if (!listener.valid(n.id())) {
                return 0;
            }
            for (long at : addresses) {
                mem.seek(at);
                mem.write(le);
            }
            return 0;
        } catch (IOException e) {
            return EFAULT;
        }
    }

    /** Performs and records call {@code n}; its errno (0: success). */
    private int record(Notification n) throws Unplaceable {
        Call call = n.call();
        long[] a = n.args();
        boolean at = call == Call.FCHOWNAT;
        int uid = (int) (at ? a[2] : a[1]);
        int gid = (int) (at ? a[3] : a[2]);
        int flags = at ? (int) a[4] : 0;
        String proc = "/proc/" + n.pid();
        int root = -1;
        int target = -1;
        try {
            root = FdFiles.openPath(proc + "/root");
            byte[] rootPath = FdFiles.readlink(proc + "/root");
            if (call == Call.FCHOWN) {
                target = FdFiles.openPath(proc + "/fd/" + (int) a[0]);
            } else {
                byte[] path = readString(n.pid(), at ? a[1] : a[0]);
                int dirFd = at ? (int) a[0] : AT_FDCWD;
                String base = dirFd == AT_FDCWD ? proc + "/cwd" : proc + "/fd/" + dirFd;
                if (path.length == 0) {
                    if (!at || (flags & AT_EMPTY_PATH) == 0) {
                        return FdFiles.ENOENT;
                    }
                    target = FdFiles.openPath(base);
                } else {
                    byte[] full = path[0] == '/' ? path : join(inRoot(FdFiles.readlink(base), rootPath), path);
                    boolean noFollow = call == Call.LCHOWN || (flags & AT_SYMLINK_NOFOLLOW) != 0;
                    if (!listener.valid(n.id())) {
                        return 0; // the caller is gone: nobody reads the answer
                    }
                    target = FdFiles.openInRoot(root, full, noFollow);
                }
            }
            FdFiles.chownKeepingIds(target);
            FdFiles.Stat stat = FdFiles.stat(target);
            tag(root, rootPath, target, stat, uid, gid);
            return 0;
        } catch (Syscalls.ErrnoException e) {
            return e.errno();
        } catch (IOException e) {
            return EFAULT;
        } finally {
            FdFiles.close(target);
            FdFiles.close(root);
        }
    }

    /** Writes the tag of {@code target}, merging ids of -1 with what was recorded or is on disk. */
    private static void tag(int root, byte[] rootPath, int target, FdFiles.Stat stat, int uid, int gid)
            throws IOException, Unplaceable {
        if (!stat.isSymlink()) {
            OwnerTags.write(target, OwnerTags.FILE, merge(OwnerTags.read(target, OwnerTags.FILE), stat, uid, gid));
            return;
        }
        byte[] where = inRoot(FdFiles.readlink("/proc/self/fd/" + target), rootPath);
        int slash = lastSlash(where);
        byte[] parentPath = slash == 0 ? new byte[] {'/'} : Arrays.copyOf(where, slash);
        byte[] name = Arrays.copyOfRange(where, slash + 1, where.length);
        int parent = FdFiles.openInRoot(root, parentPath, false);
        try {
            String tag = OwnerTags.linkTag(name);
            OwnerTags.Ids ids = merge(OwnerTags.read(parent, tag), stat, uid, gid);
            OwnerTags.write(parent, tag, ids);
            OwnerTags.write(parent, OwnerTags.inodeTag(stat.ino()), ids);
        } finally {
            FdFiles.close(parent);
        }
    }

    private static OwnerTags.Ids merge(Optional<OwnerTags.Ids> recorded, FdFiles.Stat stat, int uid, int gid) {
        int oldUid = recorded.map(OwnerTags.Ids::uid).orElse(stat.uid());
        int oldGid = recorded.map(OwnerTags.Ids::gid).orElse(stat.gid());
        return new OwnerTags.Ids(uid == -1 ? oldUid : uid, gid == -1 ? oldGid : gid);
    }

    /** {@code path} (as {@code /proc} shows it to kiln) relative to the process's root, with a leading slash. */
    static byte[] inRoot(byte[] path, byte[] rootPath) throws Unplaceable {
        if (rootPath.length == 1 && rootPath[0] == '/') {
            return path;
        }
        if (path.length < rootPath.length || !Arrays.equals(path, 0, rootPath.length, rootPath, 0, rootPath.length)
                || path.length > rootPath.length && path[rootPath.length] != '/') {
            throw new Unplaceable("a path outside the process's root");
        }
        return path.length == rootPath.length ? new byte[] {'/'}
                : Arrays.copyOfRange(path, rootPath.length, path.length);
    }

    static byte[] join(byte[] dir, byte[] name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(dir.length + name.length + 1);
        out.writeBytes(dir);
        if (dir.length == 0 || dir[dir.length - 1] != '/') {
            out.write('/');
        }
        out.writeBytes(name);
        return out.toByteArray();
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /** The NUL-terminated string at {@code address} of process {@code pid}. */
    private static byte[] readString(int pid, long address) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            byte[] page = new byte[PATH_MAX];
            long at = address;
            while (out.size() < PATH_MAX) {
                int chunk = (int) (PATH_MAX - (at & (PATH_MAX - 1))); // never across a page boundary
                mem.seek(at);
                int n = mem.read(page, 0, chunk);
                if (n <= 0) {
                    throw new Syscalls.ErrnoException("cannot read the path", EFAULT);
                }
                for (int i = 0; i < n; i++) {
                    if (page[i] == 0) {
                        return out.toByteArray();
                    }
                    out.write(page[i]);
                }
                at += n;
            }
        }
        throw new Syscalls.ErrnoException("path too long", ENAMETOOLONG);
    }

    @Override
    public void close() {
        if (served == null) {
            listener.close();
        }
    }

    /** A call whose target kiln cannot place in the container's root. */
    static final class Unplaceable extends Exception {
        private static final long serialVersionUID = 1L;

        Unplaceable(String message) {
            super(message);
        }
    }
}
