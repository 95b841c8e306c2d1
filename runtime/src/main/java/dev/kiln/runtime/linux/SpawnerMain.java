package dev.kiln.runtime.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
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
    private final NativeArena arena = new NativeArena(4L << 20);
    private final NativeArena fixed = new NativeArena(64L << 10);
    private final long scratch = fixed.alloc(64);
    private final Cloner cloner = new Cloner();
    private final long statusWord = fixed.alloc(8);
    private final long pollFds = fixed.alloc(8L * 1024);
    private final int requestFd;
    private final FileOutputStream responses;
    private int[] children = new int[16];
    private int[] pidfds = new int[16];
    private long[] ids = new long[16];
    private int childCount;

    private SpawnerMain(int requestFd, FileOutputStream responses) {
        this.requestFd = requestFd;
        this.responses = responses;
    }

    /** Arguments: request FIFO, response FIFO. */
    public static void main(String[] args) throws IOException {
        LibC.load();
        LibC.setsid(); // terminal signals go to kiln, which forwards them deliberately
        NativeArena names = new NativeArena(8192);
        int req = LibC.open(names.string(args[0]), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (req < 0) {
            System.err.println("kiln spawner: cannot open " + args[0] + ": "
                    + Errno.name(com.sun.jna.Native.getLastError()));
            System.exit(70);
        }
        FileOutputStream out = new FileOutputStream(args[1]);
        SpawnerMain spawner = new SpawnerMain(req, out);
        spawner.respond(SpawnerProtocol.READY, 0, LibC.getpid(), 0, 0);
        spawner.loop();
        System.exit(0);
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
            int n = LibC.poll(pollFds, childCount + 1, -1);
            if (n < 0) {
                continue; // EINTR
            }
            for (int i = childCount - 1; i >= 0; i--) {
                short revents = NativeMemory.getShort(pollFds + 8L * (i + 1) + 6);
                if (revents != 0) {
                    reap(i);
                }
            }
            short revents = NativeMemory.getShort(pollFds + 6);
            if (revents != 0) {
                byte[] request = readFrame();
                if (request == null) {
                    return; // kiln went away; children die with their parent-death signal
                }
                handle(request);
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

    private byte[] readFrame() {
        if (!readFully(scratch, 4)) {
            return null;
        }
        int length = Integer.reverseBytes(NativeMemory.getInt(scratch)); // big-endian on the wire
        arena.reset();
        long buf = arena.alloc(length);
        if (!readFully(buf, length)) {
            return null;
        }
        byte[] bytes = new byte[length];
        arena.read(buf, bytes); // one native copy: a loop of getByte is slow in the interpreter
        return bytes;
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

    private void handle(byte[] request) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(request));
        int type = in.readInt();
        if (type != SpawnerProtocol.SPAWN) {
            throw new IOException("unknown request type " + type);
        }
        long id = in.readLong();
        long cloneFlags = in.readLong();
        int watchdogMillis = in.readInt();
        arena.reset();
        long[] table = Cloner.load(in, arena);
        Cloner.Result r = cloner.run(cloneFlags, table, table.length / ChildExecutor.STRIDE,
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

    private void respond(int type, long id, int a, int b, int c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(type);
        out.writeLong(id);
        out.writeInt(a);
        out.writeInt(b);
        out.writeInt(c);
        responses.write(bytes.toByteArray());
    }
}
