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
 * waits for it and returns its exit code; inside, or when really root, it returns empty at once.
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
        SINGLE
    }

    /**
     * Empty when this process may go on (root, or already inside); otherwise runs this same
     * command (main class or jar of this JVM, with {@code args}) inside and returns its exit code.
     */
    public static OptionalInt ensureInside(String[] args, Isolation isolation) {
        if (Syscalls.geteuid() == 0) {
            return OptionalInt.empty();
        }
        if (System.getenv(MARKER) != null) {
            throw new SandboxException("kiln was re-executed in a user namespace but is uid "
                    + Syscalls.geteuid() + " there", "unset " + MARKER + " and run again");
        }
        if (isolation == Isolation.CHROOT) {
            throw new SandboxException("--isolation=chroot needs root (kiln runs as uid "
                    + Syscalls.getuid() + ")", "run as root, or use --isolation=userns");
        }
        return OptionalInt.of(reexec(relaunchCommand(args)));
    }

    /** Like {@link #ensureInside(String[], Isolation)} for {@code auto}. */
    public static OptionalInt ensureInside(String[] args) {
        return ensureInside(args, Isolation.AUTO);
    }

    /** Runs {@code command} (argv[0] an absolute path) in a new user namespace; its exit code. */
    public static int reexec(List<String> command) {
        UsernsLauncher launcher = new UsernsLauncher();
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        Optional<SubIds> range = SubIds.forCurrentUser();
        List<String> tried = new ArrayList<>();
        for (MappingKind kind : range.isPresent()
                ? List.of(MappingKind.RANGE, MappingKind.SINGLE) : List.of(MappingKind.SINGLE)) {
            List<String> fullEnv = new ArrayList<>(env);
            fullEnv.add(MARKER + "=" + kind.name().toLowerCase());
            UsernsLauncher.Launch launch;
            try {
                launch = launcher.launch(command.get(0), command, fullEnv,
                        pid -> writeMaps(pid, kind, range.orElse(null)));
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
                throw new SandboxException("cannot create a user namespace: clone: "
                        + Errno.describe(launch.errno()) + sysctlNote() + "; tried: userns"
                        + " (clone failed), chroot (needs root; kiln runs as uid "
                        + Syscalls.getuid() + ")", namespaceHint(), "clone", launch.errno(), null);
            }
            String why = launch.mapError() != null ? launch.mapError().getMessage()
                    : launch.failedStep() + ": " + Errno.describe(launch.errno());
            tried.add(kind.name().toLowerCase() + " mapping: " + why);
            if (kind == MappingKind.RANGE) {
                LOG.log(Level.WARNING, "newuidmap/newgidmap failed ({0}); using a single-id "
                        + "mapping, so chown inside containers will fail", why);
            }
        }
        throw new SandboxException("cannot re-execute kiln in a user namespace (" + String.join("; ",
                tried) + ")", namespaceHint());
    }

    private static void writeMaps(int pid, MappingKind kind, SubIds range) throws IOException {
        int uid = Syscalls.getuid();
        int gid = Syscalls.getgid();
        if (kind == MappingKind.RANGE) {
            run(List.of("newuidmap", Integer.toString(pid), "0", Integer.toString(uid), "1", "1",
                    Long.toString(range.uidStart()), Long.toString(range.uidCount())));
            run(List.of("newgidmap", Integer.toString(pid), "0", Integer.toString(gid), "1", "1",
                    Long.toString(range.gidStart()), Long.toString(range.gidCount())));
        } else {
            Path proc = Path.of("/proc", Integer.toString(pid));
            Files.writeString(proc.resolve("setgroups"), "deny");
            Files.writeString(proc.resolve("uid_map"), "0 " + uid + " 1\n");
            Files.writeString(proc.resolve("gid_map"), "0 " + gid + " 1\n");
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
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

    /** What the user can change when namespaces cannot be created. */
    static String namespaceHint() {
        return "enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0; on "
                + "Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or run as root "
                + "with --isolation=chroot (e.g. in a Kubernetes pod whose seccomp profile blocks "
                + "namespaces)";
    }

    /** " (user namespaces are disabled: sysctl …=0)" when a sysctl explains a failure, else "". */
    static String sysctlNote() {
        StringBuilder sb = new StringBuilder();
        note(sb, "/proc/sys/user/max_user_namespaces", "0",
                "user namespaces are disabled (sysctl user.max_user_namespaces=0)");
        note(sb, "/proc/sys/kernel/unprivileged_userns_clone", "0",
                "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)");
        note(sb, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
                "AppArmor restricts unprivileged user namespaces "
                        + "(sysctl kernel.apparmor_restrict_unprivileged_userns=1)");
        return sb.toString();
    }

    private static void note(StringBuilder sb, String file, String bad, String text) {
        try {
            if (bad.equals(Files.readString(Path.of(file)).trim())) {
                sb.append(" (").append(text).append(')');
            }
        } catch (IOException e) {
            // not present on this kernel
        }
    }

    /** The user's subordinate id ranges from /etc/subuid and /etc/subgid, if both exist with tools. */
    record SubIds(long uidStart, long uidCount, long gidStart, long gidCount) {
        static Optional<SubIds> forCurrentUser() {
            if (!executable("newuidmap") || !executable("newgidmap")) {
                return Optional.empty();
            }
            String name = System.getProperty("user.name");
            String uid = Integer.toString(Syscalls.getuid());
            Optional<long[]> u = range(Path.of("/etc/subuid"), name, uid);
            Optional<long[]> g = range(Path.of("/etc/subgid"), name, uid);
            if (u.isEmpty() || g.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new SubIds(u.get()[0], u.get()[1], g.get()[0], g.get()[1]));
        }

        private static Optional<long[]> range(Path file, String name, String uid) {
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

        private static boolean executable(String tool) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    return true;
                }
            }
            return Files.isExecutable(Path.of("/usr/bin", tool));
        }
    }
}
