package dev.kiln.runtime.linux;

import java.io.IOException;
import java.util.Arrays;

/**
 * The spawner JVM: a long-lived, single-threaded process that clones children for the kiln JVM.
 * Started once with a small serial-GC heap; reads requests from one FIFO, answers on another, and
 * does everything on its main thread, so that no other Java thread can start a safepoint while it
 * clones. A child that has not said "past clone" within the watchdog time is killed and the clone
 * retried; the number of retries is reported with each start.
 */
public final class SpawnerMain {
    /**
     * A request and, beside it, the C strings parsed out of it: room for a request as large as
     * before the parse kept it in place (4 MB); pages never used are never touched.
     */
    private final NativeArena arena = new NativeArena(8L << 20);
    private final NativeArena fixed = new NativeArena(64L << 10);
    private final long scratch = fixed.alloc(64);
    private final Cloner cloner = new Cloner();
    private final long statusWord = fixed.alloc(8);
    private final long pollFds = fixed.alloc(8L * 1024);
    private final int requestFd;
    private final int responseFd;
    /** A pidfd of the kiln JVM, readable once it has ended. */
    private final int kilnFd;
    private final long response = fixed.alloc(RESPONSE);
    private int[] children = new int[16];
    private int[] pidfds = new int[16];
    private long[] ids = new long[16];
    private int childCount;
    /** The request being handled, in {@link #arena}. */
    private long frame;
    private int frameLength;
    /** The op table of the request being handled, reused (and grown when a program needs it). */
    private long[] table = new long[128 * ChildExecutor.STRIDE];
    private static final int HEADER = 24;
    private static final int RESPONSE = 24;

    private SpawnerMain(int requestFd, int responseFd, int kilnFd) {
        this.requestFd = requestFd;
        this.responseFd = responseFd;
        this.kilnFd = kilnFd;
    }

    /**
     * Arguments: request FIFO, response FIFO, the kiln JVM's pid. Neither open blocks (the request
     * FIFO is opened non-blocking, then made blocking; the response FIFO read-write), and the
     * spawner watches its kiln through a pidfd besides the request FIFO: a kiln killed before it
     * opened its ends (it would never open them) does not leave the spawner waiting forever.
     */
    public static void main(String[] args) throws IOException {
        LibC.load();
        LibC.setsid(); // terminal signals go to kiln, which forwards them deliberately
        int kilnPid = Integer.parseInt(args[2]);
        int kiln = (int) LibC.syscall(LibC.SYS_PIDFD_OPEN, kilnPid, 0, 0, 0, 0);
        if (kiln < 0 && com.sun.jna.Native.getLastError() != LibC.ESRCH) {
            System.err.println("kiln spawner: cannot watch kiln's process (pidfd_open: "
                    + Errno.name(com.sun.jna.Native.getLastError()) + "; Linux 5.3 or newer has it)");
            System.exit(70);
        }
        if (kiln < 0 || LibC.getppid() != kilnPid) {
            System.exit(0); // kiln is gone already (checked after pidfd_open: the pidfd is kiln's)
        }
        NativeArena names = new NativeArena(8192);
        int req = open(names, args[0], LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        LibC.fcntl(req, LibC.F_SETFL, 0); // reads block again; poll reports a hang-up only after a writer came
        int out = open(names, args[1], LibC.O_RDWR | LibC.O_CLOEXEC);
        SpawnerMain spawner = new SpawnerMain(req, out, kiln);
        spawner.respond(SpawnerProtocol.READY, 0, LibC.getpid(), 0, 0);
        spawner.loop();
        System.exit(0);
    }

    private static int open(NativeArena names, String path, int flags) {
        int fd = LibC.open(names.string(path), flags, 0);
        if (fd < 0) {
            System.err.println("kiln spawner: cannot open " + path + ": "
                    + Errno.name(com.sun.jna.Native.getLastError()));
            System.exit(70);
        }
        return fd;
    }

    private void loop() throws IOException {
        while (true) {
            NativeMemory.putInt(pollFds, requestFd);
            NativeMemory.putInt(pollFds + 4, LibC.POLLIN);
            for (int i = 0; i < childCount; i++) {
                long at = pollFds + 8L * (i + 1);
                NativeMemory.putInt(at, pidfds[i]);
                NativeMemory.putInt(at + 4, LibC.POLLIN);
            }
            long kilnAt = pollFds + 8L * (childCount + 1);
            NativeMemory.putInt(kilnAt, kilnFd);
            NativeMemory.putInt(kilnAt + 4, LibC.POLLIN);
            int n = LibC.poll(pollFds, childCount + 2, -1);
            if (n < 0) {
                continue; // EINTR
            }
            if (NativeMemory.getShort(kilnAt + 6) != 0) {
                return; // kiln ended (maybe before it opened its ends); children die with their parent-death signal
            }
            for (int i = childCount - 1; i >= 0; i--) {
                short revents = NativeMemory.getShort(pollFds + 8L * (i + 1) + 6);
                if (revents != 0) {
                    reap(i);
                }
            }
            short revents = NativeMemory.getShort(pollFds + 6);
            if (revents != 0) {
                if (!readFrame()) {
                    return; // kiln went away; children die with their parent-death signal
                }
                handle(frame, frameLength);
            }
        }
    }

    private void reap(int index) throws IOException {
        int pid = children[index];
        int rc = LibC.waitpid(pid, statusWord, LibC.WNOHANG);
        if (rc != pid) {
            return;
        }
        int status = NativeMemory.getInt(statusWord);
        long id = ids[index];
        LibC.close(pidfds[index]);
        childCount--;
        children[index] = children[childCount];
        pidfds[index] = pidfds[childCount];
        ids[index] = ids[childCount];
        respond(SpawnerProtocol.EXITED, id, status, 0, 0);
    }

    /**
     * Reads the next request into the arena ({@link #frame}, {@link #frameLength}), where it is
     * parsed in place; false at EOF.
     */
    private boolean readFrame() {
        if (!readFully(scratch, 4)) {
            return false;
        }
        frameLength = NativeMemory.getIntBigEndian(scratch);
        arena.reset();
        frame = arena.alloc(frameLength);
        return readFully(frame, frameLength);
    }

    private boolean readFully(long buf, int length) {
        int done = 0;
        while (done < length) {
            long r = LibC.read(requestFd, buf + done, length - done);
            if (r == 0) {
                return false;
            }
            if (r < 0) {
                if (com.sun.jna.Native.getLastError() == LibC.EINTR) {
                    continue;
                }
                return false;
            }
            done += (int) r;
        }
        return true;
    }

    /** A SPAWN request: type, id, clone flags, watchdog millis, then the program (big-endian). */
    private void handle(long request, int length) throws IOException {
        if (length < HEADER) {
            throw new IOException("request of " + length + " bytes");
        }
        int type = NativeMemory.getIntBigEndian(request);
        if (type != SpawnerProtocol.SPAWN) {
            throw new IOException("unknown request type " + type);
        }
        long id = NativeMemory.getLongBigEndian(request + 4);
        long cloneFlags = NativeMemory.getLongBigEndian(request + 12);
        int watchdogMillis = NativeMemory.getIntBigEndian(request + 20);
        table = Cloner.load(request + HEADER, length - HEADER, arena, table);
        Cloner.Result r = cloner.run(cloneFlags, table, Cloner.opCount(request + HEADER),
                watchdogMillis, null, -1);
        if (r.started()) {
            track(id, r.pid());
            respond(SpawnerProtocol.STARTED, id, r.pid(), r.retries(), 0);
        } else {
            respond(SpawnerProtocol.FAILED, id, r.op(), r.errno(), r.retries());
        }
    }

    private void track(long id, int pid) {
        int pidfd = (int) LibC.syscall(LibC.SYS_PIDFD_OPEN, pid, 0, 0, 0, 0);
        if (childCount == children.length) {
            children = Arrays.copyOf(children, childCount * 2);
            pidfds = Arrays.copyOf(pidfds, childCount * 2);
            ids = Arrays.copyOf(ids, childCount * 2);
        }
        children[childCount] = pid;
        pidfds[childCount] = pidfd;
        ids[childCount] = id;
        childCount++;
    }

    /** One response: type, id, three ints, big-endian, written at once (a pipe keeps it whole). */
    private void respond(int type, long id, int a, int b, int c) throws IOException {
        NativeMemory.putIntBigEndian(response, type);
        NativeMemory.putLongBigEndian(response + 4, id);
        NativeMemory.putIntBigEndian(response + 12, a);
        NativeMemory.putIntBigEndian(response + 16, b);
        NativeMemory.putIntBigEndian(response + 20, c);
        int done = 0;
        while (done < RESPONSE) {
            long w = LibC.write(responseFd, response + done, RESPONSE - done);
            if (w < 0) {
                int errno = com.sun.jna.Native.getLastError();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw new IOException("cannot answer kiln: " + Errno.name(errno));
            }
            done += (int) w;
        }
    }
}
