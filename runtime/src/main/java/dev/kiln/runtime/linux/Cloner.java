package dev.kiln.runtime.linux;

import com.sun.jna.Native;
import java.io.IOException;

/**
 * Clone-as-fork with a watchdog. The child runs a loaded op table ({@link ChildExecutor}); the
 * parent waits for its "past clone" byte within the watchdog time (else kills it and clones
 * again, doubling the time), optionally releases it after doing its own part (writing id maps),
 * then waits for exec (the CLOEXEC pipe closes) or an (op, errno) report.
 */
final class Cloner {
    static final int MAX_RETRIES = 6;
    /** How long a child may take from "past clone" to exec before it counts as stuck. */
    static final int SETUP_MILLIS = 5000;

    /** What became of one request: a started pid, or the failed op and errno. */
    record Result(int pid, int op, int errno, int retries) {
        boolean started() {
            return pid > 0;
        }
    }

    /** The parent's part between clone and the child's setup, e.g. writing id maps. */
    interface ParentStep {
        /** Returns 0, or an errno that aborts the child. */
        int run(int pid);
    }

    /** Why the last watchdog retry happened, for debugging. */
    String lastStuck;

    private final NativeArena fixed = new NativeArena(4096);
    private final long scratch = fixed.alloc(64);
    private final long childScratch = fixed.alloc(ChildExecutor.LISTENER_SCRATCH);
    private final long pipeFds = fixed.alloc(8);
    private final long statusWord = fixed.alloc(8);
    private final long pollFd = fixed.alloc(8);

    Cloner() {
        ChildExecutor.warmUp(childScratch);
    }

    Result run(long cloneFlags, long[] table, int n, int watchdogMillis, ParentStep parentStep,
            int releaseFd) {
        int timeout = watchdogMillis;
        for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            if (LibC.pipe2(pipeFds, LibC.O_CLOEXEC) < 0) {
                return new Result(0, SpawnerProtocol.OP_CLONE, Native.getLastError(), attempt);
            }
            int readEnd = NativeMemory.getInt(pipeFds);
            int writeEnd = NativeMemory.getInt(pipeFds + 4);
            long pid = ChildExecutor.cloneChild(cloneFlags | LibC.SIGCHLD, table, n, writeEnd, childScratch);
            int errno = Native.getLastError();
            LibC.close(writeEnd);
            if (pid < 0) {
                LibC.close(readEnd);
                return new Result(0, SpawnerProtocol.OP_CLONE, errno, attempt);
            }
            if (!pastClone(readEnd, timeout)) {
                LibC.close(readEnd);
                LibC.kill((int) pid, LibC.SIGKILL);
                LibC.waitpid((int) pid, statusWord, 0);
                debug(attempt);
                timeout *= 2;
                continue;
            }
            if (parentStep != null) {
                int stepErrno = parentStep.run((int) pid);
                if (stepErrno != 0) {
                    LibC.close(readEnd);
                    LibC.kill((int) pid, LibC.SIGKILL);
                    LibC.waitpid((int) pid, statusWord, 0);
                    return new Result(0, SpawnerProtocol.OP_PARENT_STEP, stepErrno, attempt);
                }
                NativeMemory.putByte(scratch, (byte) 1);
                LibC.write(releaseFd, scratch, 1);
            }
            int report = readReport(readEnd, SETUP_MILLIS << attempt);
            LibC.close(readEnd);
            if (report != EXECUTED) {
                LibC.kill((int) pid, LibC.SIGKILL); // reported or stalled: do not wait on it
                LibC.waitpid((int) pid, statusWord, 0);
            }
            if (report == STALLED) {
                lastStuck = "no exec within " + (SETUP_MILLIS << attempt) + " ms after clone";
                debug(attempt);
                timeout *= 2;
                continue;
            }
            if (report == FAILED) {
                return new Result(0, NativeMemory.getInt(scratch), NativeMemory.getInt(scratch + 4),
                        attempt);
            }
            return new Result((int) pid, 0, 0, attempt);
        }
        return new Result(0, SpawnerProtocol.OP_WATCHDOG, 0, MAX_RETRIES);
    }

    /** Blocks until {@code pid} ends; its raw wait status. */
    int waitFor(int pid) {
        while (true) {
            int rc = LibC.waitpid(pid, statusWord, 0);
            if (rc == pid) {
                return NativeMemory.getInt(statusWord);
            }
            if (rc < 0 && Native.getLastError() != LibC.EINTR) {
                return -1;
            }
        }
    }

    private boolean pastClone(int readEnd, int timeoutMillis) {
        NativeMemory.putInt(pollFd, readEnd);
        NativeMemory.putInt(pollFd + 4, LibC.POLLIN);
        int ready;
        do {
            ready = LibC.poll(pollFd, 1, timeoutMillis);
        } while (ready < 0 && Native.getLastError() == LibC.EINTR);
        if (ready <= 0) {
            lastStuck = "no byte within " + timeoutMillis + " ms";
            return false;
        }
        long r = readSome(readEnd, scratch, 1);
        if (r != 1 || NativeMemory.getByte(scratch) != 'C') {
            lastStuck = "read " + r + " errno " + Native.getLastError() + " byte "
                    + NativeMemory.getByte(scratch);
            return false;
        }
        return true;
    }

    private static final int EXECUTED = 0;
    private static final int FAILED = 1;
    private static final int STALLED = 2;

    /**
     * Reads the child's report: EOF means it exec'd; 'E' + op + errno means it failed; nothing
     * within {@code setupMillis} means it is stuck in setup (a VM lock held at clone time).
     */
    private int readReport(int readEnd, int setupMillis) {
        int got = 0;
        while (got < 9) {
            NativeMemory.putInt(pollFd, readEnd);
            NativeMemory.putInt(pollFd + 4, LibC.POLLIN);
            int ready = LibC.poll(pollFd, 1, setupMillis);
            if (ready < 0 && Native.getLastError() == LibC.EINTR) {
                continue;
            }
            if (ready == 0) {
                return STALLED;
            }
            long r = readSome(readEnd, scratch + 8 + got, 9 - got);
            if (r <= 0) {
                break;
            }
            got += (int) r;
        }
        if (got == 0) {
            return EXECUTED;
        }
        NativeMemory.putInt(scratch, NativeMemory.getInt(scratch + 9));
        NativeMemory.putInt(scratch + 4, NativeMemory.getInt(scratch + 13));
        return FAILED;
    }

    private void debug(int attempt) {
        if (System.getenv("KILN_DEBUG_WATCHDOG") != null) {
            System.err.println("kiln watchdog: retry " + (attempt + 1) + ": " + lastStuck);
        }
    }

    private static long readSome(int fd, long buf, int length) {
        long r;
        do {
            r = LibC.read(fd, buf, length);
        } while (r < 0 && Native.getLastError() == LibC.EINTR);
        return r;
    }

    /**
     * Loads a program written by {@link ChildProgram#writeTo}, lying at {@code program} in native
     * memory ({@code length} bytes), into an op table ({@link ChildExecutor#STRIDE} longs per op;
     * string arguments copied NUL-terminated into {@code arena}); returns the table: {@code into}
     * when it is large enough, which the spawner reuses. Parsed in place: the spawner is
     * interpreted, and every page it writes after a clone is a copy-on-write fault.
     */
    static long[] load(long program, int length, NativeArena arena, long[] into) throws IOException {
        long end = program + length;
        check(program, 4, end);
        int n = opCount(program);
        if (n < 0 || 12L * n > length) {
            throw new IOException("malformed program: " + n + " ops in " + length + " bytes");
        }
        long[] table = into.length >= n * ChildExecutor.STRIDE ? into : new long[n * ChildExecutor.STRIDE];
        long p = program + 4;
        for (int i = 0; i < n; i++) {
            int at = i * ChildExecutor.STRIDE;
            check(p, 12, end);
            table[at] = NativeMemory.getIntBigEndian(p);
            table[at + 1] = NativeMemory.getIntBigEndian(p + 4);
            int argc = NativeMemory.getIntBigEndian(p + 8);
            if (argc < 0 || argc > ChildExecutor.STRIDE - 2) {
                throw new IOException("malformed program: op " + i + " has " + argc + " arguments");
            }
            p += 12;
            for (int a = 0; a < ChildExecutor.STRIDE - 2; a++) {
                table[at + 2 + a] = 0;
            }
            for (int a = 0; a < argc; a++) {
                p = readArg(p, end, arena, table, at + 2 + a);
            }
        }
        return table;
    }

    /** The number of ops in a program written by {@link ChildProgram#writeTo} at {@code program}. */
    static int opCount(long program) {
        return NativeMemory.getIntBigEndian(program);
    }

    /** Reads one argument at {@code p} into {@code table[slot]}; returns where the next begins. */
    private static long readArg(long p, long end, NativeArena arena, long[] table, int slot) throws IOException {
        check(p, 1, end);
        int tag = NativeMemory.getByte(p);
        p++;
        switch (tag) {
            case Ops.ARG_NONE:
                table[slot] = 0;
                return p;
            case Ops.ARG_LONG:
                check(p, 8, end);
                table[slot] = NativeMemory.getLongBigEndian(p);
                return p + 8;
            case Ops.ARG_STRING:
            case Ops.ARG_BYTES: {
                check(p, 4, end);
                int length = bytesLength(p, end);
                table[slot] = arena.copy(p + 4, length);
                return p + 4 + length;
            }
            case Ops.ARG_STRINGS: {
                check(p, 4, end);
                int count = NativeMemory.getIntBigEndian(p);
                p += 4;
                if (count < 0 || count > end - p) {
                    throw new IOException("malformed program: " + count + " strings");
                }
                long array = arena.alloc(8L * (count + 1));
                for (int i = 0; i < count; i++) {
                    check(p, 4, end);
                    int length = bytesLength(p, end);
                    NativeMemory.putLong(array + 8L * i, arena.copy(p + 4, length));
                    p += 4 + length;
                }
                table[slot] = array;
                return p;
            }
            default:
                throw new IOException("unknown argument tag " + tag);
        }
    }

    /** The length of the length-prefixed byte string at {@code p} (its 4-byte prefix checked by the caller), checked. */
    private static int bytesLength(long p, long end) throws IOException {
        int length = NativeMemory.getIntBigEndian(p);
        if (length < 0 || length > end - p - 4) {
            throw new IOException("malformed program: a string of " + length + " bytes where "
                    + (end - p - 4) + " are left");
        }
        return length;
    }

    private static void check(long p, long bytes, long end) throws IOException {
        if (bytes > end - p) {
            throw new IOException("malformed program: truncated");
        }
    }
}
