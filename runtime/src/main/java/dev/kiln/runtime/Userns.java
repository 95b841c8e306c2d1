package dev.kiln.runtime;

import dev.kiln.runtime.linux.Errno;
import dev.kiln.runtime.linux.Syscalls;
import dev.kiln.runtime.linux.UsernsLauncher;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * kiln's one re-execution into a user namespace. A rootless {@code kiln build} or {@code kiln run}
 * calls {@link #ensureInside} first thing: outside, it starts the same command again in a new user
 * and mount namespace where kiln is uid 0 (over the user's whole subordinate id range when
 * {@code newuidmap} and an {@code /etc/subuid} entry exist, else over just the user's own id),
 * waits for it and returns its exit code; inside it returns empty at once. Real root re-executes
 * too when it has a subordinate range of its own ({@link MappingKind#ROOT_RANGE}); without one it
 * goes on in the initial user namespace (or, lacking CAP_SYS_ADMIN, in an identity-mapped one).
 */
public final class Userns {
    /** Set in the environment of the re-executed kiln. */
    public static final String MARKER = "KILN_USERNS";
    private static final System.Logger LOG = System.getLogger(Userns.class.getName());

    private Userns() {}

    /** How the ids of the re-executed kiln are mapped. */
    public enum MappingKind {
        /** uid 0 and 1..65536 over the user's id and subordinate range. */
        RANGE,
        /** Only uid 0, over the user's id. */
        SINGLE,
        /** Every id over itself: root entering a user namespace for the capabilities it lacks. */
        IDENTITY,
        /**
         * Real root with a subordinate range: uid 0..count-1 over the range (kiln is uid 0 there,
         * host uid {@code start}), and host root at {@code count} so that kiln reaches root's
         * files (store, context, home). Containers enter a child namespace without that last id
         * ({@link ContainerUserns}), so no RUN is host root or can make a file host root's.
         */
        ROOT_RANGE
    }

    /** The system property carrying the user's name into the re-executed kiln (where it is root). */
    static final String USER_PROPERTY = "kiln.user";

    /**
     * Empty when this process may go on (root with CAP_SYS_ADMIN, or already inside); otherwise
     * runs this same command (main class or jar of this JVM, with {@code args}) inside and returns
     * its exit code. Root without CAP_SYS_ADMIN (a root pod) tries a user namespace of its own with
     * every id mapped to itself first, and goes on outside (where only chroot works) when that fails.
     */
    public static OptionalInt ensureInside(String[] args, Isolation isolation) {
        if (System.getenv(MARKER) != null) {
            if (Syscalls.geteuid() != 0) {
                throw new SandboxException("kiln was re-executed in a user namespace but is uid "
                        + Syscalls.geteuid() + " there", "unset " + MARKER + " and run again");
            }
            return OptionalInt.empty();
        }
        if (Syscalls.geteuid() == 0) {
            List<MappingKind> kinds = rootMappings(isolation);
            if (kinds.isEmpty()) {
                return OptionalInt.empty();
            }
            try {
                return OptionalInt.of(reexec(relaunchCommand(args), kinds));
            } catch (SandboxException e) {
                LOG.log(Level.DEBUG, "root and no user namespace of its own ({0}): going on without one",
                        e.getMessage());
                return OptionalInt.empty();
            }
        }
        if (isolation == Isolation.CHROOT) {
            throw new SandboxException("--isolation=chroot needs root (kiln runs as uid "
                    + Syscalls.getuid() + ")", "run kiln as root for chroot, or leave --isolation at auto");
        }
        return OptionalInt.of(reexec(relaunchCommand(args)));
    }

    /**
     * True when {@link #ensureInside} would re-execute kiln: outside kiln's user namespace, as a
     * user other than root, or as root with a subordinate range or without CAP_SYS_ADMIN (unless
     * chroot is asked for).
     */
    public static boolean needed(Isolation isolation) {
        if (System.getenv(MARKER) != null) {
            return false;
        }
        return Syscalls.geteuid() != 0 || !rootMappings(isolation).isEmpty();
    }

    /**
     * The user namespaces real root tries, in order: its own subordinate range when
     * /etc/subuid and /etc/subgid give it one, then (without CAP_SYS_ADMIN) every id over itself;
     * none under chroot isolation, or when neither applies (root goes on in the initial namespace).
     */
    private static List<MappingKind> rootMappings(Isolation isolation) {
        if (isolation == Isolation.CHROOT) {
            return List.of();
        }
        List<MappingKind> kinds = new ArrayList<>();
        if (SubIds.forCurrentUser().isPresent()) {
            kinds.add(MappingKind.ROOT_RANGE);
        }
        if (!HostLimits.hasCapability(HostLimits.CAP_SYS_ADMIN)) {
            kinds.add(MappingKind.IDENTITY);
        }
        return kinds;
    }

    /** Which mapping this process was re-executed with; empty outside kiln's user namespace. */
    public static Optional<MappingKind> current() {
        String marker = System.getenv(MARKER);
        if (marker == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(MappingKind.valueOf(marker.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Like {@link #ensureInside(String[], Isolation)} for {@code auto}. */
    public static OptionalInt ensureInside(String[] args) {
        return ensureInside(args, Isolation.AUTO);
    }

    /** Runs {@code command} (argv[0] an absolute path) in a new user namespace; its exit code. */
    public static int reexec(List<String> command) {
        return reexec(command, SubIds.forCurrentUser().isPresent()
                ? List.of(MappingKind.RANGE, MappingKind.SINGLE) : List.of(MappingKind.SINGLE));
    }

    private static int reexec(List<String> command, List<MappingKind> kinds) {
        UsernsLauncher launcher = new UsernsLauncher();
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        Optional<SubIds> range = SubIds.forCurrentUser();
        List<String> tried = new ArrayList<>();
        for (MappingKind kind : kinds) {
            List<String> fullEnv = new ArrayList<>(env);
            fullEnv.add(MARKER + "=" + kind.name().toLowerCase(java.util.Locale.ROOT));
            UsernsLauncher.Launch launch;
            try {
                launch = launcher.launch(command.get(0), command, fullEnv,
                        pid -> writeMaps(pid, kind, range.orElse(null)), kind == MappingKind.ROOT_RANGE);
            } catch (IOException e) {
                throw new SandboxException("cannot re-execute kiln in a user namespace: "
                        + e.getMessage(), null, null, 0, e);
            }
            if (launch.started()) {
                LOG.log(Level.DEBUG, "re-executed in a user namespace ({0} mapping), pid {1}",
                        kind, launch.pid());
                return waitForwardingSignals(launcher, launch.pid());
            }
            if ("clone".equals(launch.failedStep())) {
                throw refused("clone: " + Errno.describe(launch.errno()) + HostLimits.sysctlNote(launch.errno()),
                        HostLimits.namespaceFix(launch.errno()), "clone", launch.errno());
            }
            if (launch.mapError() == null && !"write id maps".equals(launch.failedStep())) {
                // the namespace exists with its ids mapped, but gives no capabilities: not newuidmap's doing
                String why = "the user namespace was created but " + launch.failedStep() + " failed with "
                        + Errno.describe(launch.errno()) + HostLimits.sysctlNote(launch.errno());
                throw refused(why, launch.errno() == 1 ? HostLimits.noCapabilitiesFix()
                        : HostLimits.namespaceFix(launch.errno()), launch.failedStep(), launch.errno());
            }
            String why = launch.mapError() != null ? launch.mapError().getMessage()
                    : launch.failedStep() + ": " + Errno.describe(launch.errno());
            tried.add(kind.name().toLowerCase(java.util.Locale.ROOT) + " mapping: " + why);
            if (kind == MappingKind.ROOT_RANGE) {
                LOG.log(Level.WARNING, "root''s subordinate range could not be mapped ({0}); RUN steps "
                        + "run without a user namespace of their own", why);
            } else if (kind == MappingKind.RANGE) {
                LOG.log(Level.WARNING, "newuidmap/newgidmap failed ({0}); using a single-id "
                        + "mapping, so chown inside containers will fail", why);
            }
        }
        throw new SandboxException("cannot re-execute kiln in a user namespace (" + String.join("; ",
                tried) + ")", HostLimits.namespaceFix());
    }

    /** One paragraph: what kiln tried, why each way was refused, and the fix. */
    private static SandboxException refused(String why, String fix, String step, int errno) {
        String chroot = Syscalls.geteuid() == 0 ? "chroot is used instead"
                : "chroot was not tried (it needs root; kiln runs as uid " + Syscalls.getuid() + ")";
        return new SandboxException("cannot isolate RUN steps or containers here: a user namespace was "
                + "refused (" + why + "); " + chroot, fix, step, errno, null);
    }

    private static void writeMaps(int pid, MappingKind kind, SubIds range) throws IOException {
        int uid = Syscalls.getuid();
        int gid = Syscalls.getgid();
        if (kind == MappingKind.RANGE) {
            runTogether(List.of(
                    List.of(range.newuidmap().toString(), Integer.toString(pid), "0", Integer.toString(uid), "1", "1",
                            Long.toString(range.uidStart()), Long.toString(range.uidCount())),
                    List.of(range.newgidmap().toString(), Integer.toString(pid), "0", Integer.toString(gid), "1", "1",
                            Long.toString(range.gidStart()), Long.toString(range.gidCount()))));
        } else if (kind == MappingKind.IDENTITY) {
            Path proc = Path.of("/proc", Integer.toString(pid));
            Files.writeString(proc.resolve("uid_map"), "0 0 4294967295\n");
            Files.writeString(proc.resolve("gid_map"), "0 0 4294967295\n");
        } else if (kind == MappingKind.ROOT_RANGE) {
            // root may write any map itself; each file in one write, as the kernel wants
            Path proc = Path.of("/proc", Integer.toString(pid));
            Files.writeString(proc.resolve("uid_map"), rootRangeMap(range.uidStart(), range.uidCount()));
            Files.writeString(proc.resolve("gid_map"), rootRangeMap(range.gidStart(), range.gidCount()));
        } else {
            Path proc = Path.of("/proc", Integer.toString(pid));
            Files.writeString(proc.resolve("setgroups"), "deny");
            Files.writeString(proc.resolve("uid_map"), "0 " + uid + " 1\n");
            Files.writeString(proc.resolve("gid_map"), "0 " + gid + " 1\n");
        }
    }

    /** Ids 0..count-1 over the range, and host id 0 at {@code count}: see {@link MappingKind#ROOT_RANGE}. */
    static String rootRangeMap(long start, long count) {
        return "0 " + start + " " + count + "\n" + count + " 0 1\n";
    }

    /**
     * Runs {@code commands} at once (newuidmap and newgidmap write different files of the child:
     * one process start less to wait for) and fails with the first one's error, in order.
     */
    private static void runTogether(List<List<String>> commands) throws IOException {
        List<Process> started = new ArrayList<>();
        try {
            for (List<String> command : commands) {
                started.add(new ProcessBuilder(command).redirectErrorStream(true).start());
            }
            for (int i = 0; i < commands.size(); i++) {
                finish(commands.get(i), started.get(i));
            }
        } finally {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void finish(List<String> command, Process p) throws IOException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue()
                    + "): " + out);
        }
    }

    @SuppressWarnings("restriction")
    private static int waitForwardingSignals(UsernsLauncher launcher, int pid) {
        // A terminal's Ctrl+C reaches the inner kiln itself (same process group); forward only
        // what is sent to this process alone.
        List<String> forwarded = System.console() != null ? List.of("TERM", "HUP")
                : List.of("TERM", "HUP", "INT");
        for (String name : forwarded) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.Signal.handle(sig, s -> Syscalls.kill(pid, s.getNumber()));
            } catch (IllegalArgumentException e) {
                // signal in use by the JVM: leave it
            }
        }
        if (System.console() != null) {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        }
        int status = launcher.waitFor(pid);
        return ExecResult.fromWaitStatus(status, 0).exitCode();
    }

    /** The command line that starts this JVM's program again, with {@code args}. */
    public static List<String> relaunchCommand(String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        // Inside, kiln is uid 0 and the JVM would take root's home from the passwd file; the
        // store, credentials and caches belong to the user outside.
        cmd.add("-Duser.home=" + System.getProperty("user.home"));
        cmd.add("-D" + USER_PROPERTY + "=" + HostLimits.userName());
        String command = System.getProperty("sun.java.command", "");
        String first = command.split(" ", 2)[0];
        if (first.endsWith(".jar")) {
            cmd.add("-jar");
            cmd.add(first);
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(first);
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The user's subordinate id ranges from /etc/subuid and /etc/subgid, if both exist, with the
     * {@code newuidmap} and {@code newgidmap} found on PATH that will be run. Root writes its maps
     * itself: its ranges need no tools (both null), but a count below 65536 or one so large that
     * the host root id after it would not fit is no usable range for it.
     */
    record SubIds(long uidStart, long uidCount, long gidStart, long gidCount, Path newuidmap,
            Path newgidmap) {
        /** The fewest ids a range of root's must hold: uid 0..65535, as for a user's. */
        static final long ROOT_MIN_COUNT = 65536;

        static Optional<SubIds> forCurrentUser() {
            if (Syscalls.getuid() == 0) {
                return forRoot(Path.of("/etc/subuid"), Path.of("/etc/subgid"));
            }
            Optional<Path> uidTool = tool("newuidmap");
            Optional<Path> gidTool = tool("newgidmap");
            if (uidTool.isEmpty() || gidTool.isEmpty()) {
                return Optional.empty();
            }
            String name = HostLimits.userName();
            String uid = Integer.toString(Syscalls.getuid());
            Optional<long[]> u = range(Path.of("/etc/subuid"), name, uid);
            Optional<long[]> g = range(Path.of("/etc/subgid"), name, uid);
            if (u.isEmpty() || g.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new SubIds(u.get()[0], u.get()[1], g.get()[0], g.get()[1], uidTool.get(),
                    gidTool.get()));
        }

        static Optional<SubIds> forRoot(Path subuid, Path subgid) {
            Optional<long[]> u = range(subuid, "root", "0");
            Optional<long[]> g = range(subgid, "root", "0");
            if (u.isEmpty() || g.isEmpty() || !fitsRoot(u.get()) || !fitsRoot(g.get())) {
                return Optional.empty();
            }
            return Optional.of(new SubIds(u.get()[0], u.get()[1], g.get()[0], g.get()[1], null, null));
        }

        /** A range root can use: at least 65536 ids, not starting at 0, with room for one id after it. */
        private static boolean fitsRoot(long[] r) {
            return r[0] > 0 && r[1] >= ROOT_MIN_COUNT && r[1] < 4294967295L;
        }

        static Optional<long[]> range(Path file, String name, String uid) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.trim().split(":");
                    if (f.length == 3 && (f[0].equals(name) || f[0].equals(uid))) {
                        return Optional.of(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no usable range
            }
            return Optional.empty();
        }

        /** {@code tool} as PATH finds it (PATH unset: /usr/bin:/bin), the one that will run. */
        static Optional<Path> tool(String tool) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
                if (Files.isExecutable(p)) {
                    return Optional.of(p.toAbsolutePath());
                }
            }
            return Optional.empty();
        }
    }
}
