package dev.kiln.runtime.linux;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Runs a command in a new user and mount namespace, from a JVM that cannot {@code unshare}: a
 * clone-as-fork whose child waits until the parent has written its id maps, makes its mounts
 * private and execs. Meant to be called once, early, while the JVM is quiet.
 */
public final class UsernsLauncher {
    private static final long FLAGS = LibC.CLONE_NEWUSER | LibC.CLONE_NEWNS;
    private static final int WATCHDOG_MILLIS = 500;

    /** Writes the child's id maps; an exception aborts the child. */
    public interface IdMapWriter {
        void write(int pid) throws IOException;
    }

    /** The started child, or why it failed. */
    public record Launch(int pid, int retries, String failedStep, int errno, IOException mapError) {
        public boolean started() {
            return pid > 0;
        }
    }

    private final NativeArena arena = new NativeArena(1L << 20);
    private final Cloner cloner = new Cloner();
    private final long syncFds = arena.alloc(8);

    public UsernsLauncher() {
        LibC.load();
    }

    /** Clones, maps ids through {@code maps}, and execs {@code executable} with argv and env. */
    public Launch launch(String executable, List<String> argv, List<String> env, IdMapWriter maps)
            throws IOException {
        return launch(executable, argv, env, maps, false);
    }

    /**
     * Like {@link #launch(String, List, List, IdMapWriter)}; with {@code becomeRoot} the child
     * switches to uid and gid 0 of the new namespace (groups: 0) before exec, for a caller whose
     * own id is not mapped to 0 there (real root over a subordinate range).
     */
    public Launch launch(String executable, List<String> argv, List<String> env, IdMapWriter maps,
            boolean becomeRoot) throws IOException {
        if (LibC.pipe2(syncFds, LibC.O_CLOEXEC) < 0) {
            throw new IOException("pipe2: " + Errno.describe(com.sun.jna.Native.getLastError()));
        }
        int syncRead = NativeMemory.getInt(syncFds);
        int syncWrite = NativeMemory.getInt(syncFds + 4);
        try {
            ChildProgram program = new ChildProgram()
                    .dieWithParent(LibC.SIGKILL)
                    .waitForParent(syncRead)
                    .mount(null, "/", null, LibC.MS_REC | LibC.MS_PRIVATE, null,
                            "make the mount namespace private");
            if (becomeRoot) {
                program.setgroups(List.of(0)).setgid(0).setuid(0);
            }
            program.exec(List.of(executable), argv, env);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            program.writeTo(new DataOutputStream(bytes));
            long frame = arena.bytes(bytes.toByteArray());
            long[] table = Cloner.load(frame, bytes.size(), arena, new long[0]);
            IOException[] mapError = new IOException[1];
            Cloner.Result r = cloner.run(FLAGS, table, Cloner.opCount(frame),
                    WATCHDOG_MILLIS, pid -> {
                        try {
                            maps.write(pid);
                            return 0;
                        } catch (IOException e) {
                            mapError[0] = e;
                            return LibC.EPERM;
                        }
                    }, syncWrite);
            if (r.started()) {
                return new Launch(r.pid(), r.retries(), null, 0, null);
            }
            String step = r.op() == SpawnerProtocol.OP_CLONE ? "clone"
                    : r.op() == SpawnerProtocol.OP_PARENT_STEP ? "write id maps"
                    : r.op() == SpawnerProtocol.OP_WATCHDOG ? "watchdog" : program.describe(r.op());
            return new Launch(0, r.retries(), step, r.errno(), mapError[0]);
        } finally {
            LibC.close(syncRead);
            LibC.close(syncWrite);
        }
    }

    /** Blocks until {@code pid} ends; its raw wait status. */
    public int waitFor(int pid) {
        return cloner.waitFor(pid);
    }
}
