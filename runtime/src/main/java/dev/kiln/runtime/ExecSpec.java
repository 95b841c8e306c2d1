package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything about one process to run in a container: its root filesystem, command line,
 * environment ({@code KEY=VALUE} entries, in order), identity, working directory (created if
 * missing), hostname, extra mounts, network and standard streams. Change with the {@code withX}
 * copies; {@link #of} gives Docker's defaults (root, {@code /}, host network, inherited stdio).
 */
public record ExecSpec(
        RootFs rootfs,
        List<String> argv,
        List<String> env,
        User user,
        String workDir,
        String hostname,
        List<Mount> mounts,
        Network network,
        Stdio stdin,
        Stdio stdout,
        Stdio stderr) {

    public static final String DEFAULT_PATH =
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public ExecSpec {
        Objects.requireNonNull(rootfs, "rootfs");
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command to run (empty argv)");
        }
        env = List.copyOf(env);
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry without KEY=: '" + e + "'");
            }
        }
        Objects.requireNonNull(user, "user");
        workDir = requireAbsolute(workDir, "working directory");
        Objects.requireNonNull(hostname, "hostname");
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    public static ExecSpec of(RootFs rootfs, List<String> argv) {
        return new ExecSpec(rootfs, argv, List.of(), User.ROOT, "/", "kiln", List.of(),
                Network.HOST, Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT);
    }

    public ExecSpec withRootfs(RootFs v) {
        return new ExecSpec(v, argv, env, user, workDir, hostname, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withArgv(List<String> v) {
        return new ExecSpec(rootfs, v, env, user, workDir, hostname, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withEnv(List<String> v) {
        return new ExecSpec(rootfs, argv, v, user, workDir, hostname, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withUser(User v) {
        return new ExecSpec(rootfs, argv, env, v, workDir, hostname, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withWorkDir(String v) {
        return new ExecSpec(rootfs, argv, env, user, v, hostname, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withHostname(String v) {
        return new ExecSpec(rootfs, argv, env, user, workDir, v, mounts, network, stdin, stdout, stderr);
    }

    public ExecSpec withMounts(List<Mount> v) {
        return new ExecSpec(rootfs, argv, env, user, workDir, hostname, v, network, stdin, stdout, stderr);
    }

    public ExecSpec withNetwork(Network v) {
        return new ExecSpec(rootfs, argv, env, user, workDir, hostname, mounts, v, stdin, stdout, stderr);
    }

    public ExecSpec withStdio(Stdio in, Stdio out, Stdio err) {
        return new ExecSpec(rootfs, argv, env, user, workDir, hostname, mounts, network, in, out, err);
    }

    /** The value of {@code key} in {@link #env}, or null. The last entry wins. */
    public String envValue(String key) {
        String prefix = key + "=";
        String value = null;
        for (String e : env) {
            if (e.startsWith(prefix)) {
                value = e.substring(prefix.length());
            }
        }
        return value;
    }

    /** {@link #env} plus Docker's defaults for {@code PATH}, {@code HOSTNAME} and {@code HOME}. */
    public List<String> effectiveEnv() {
        List<String> out = new ArrayList<>(env);
        if (envValue("PATH") == null) {
            out.add(0, "PATH=" + DEFAULT_PATH);
        }
        if (envValue("HOSTNAME") == null) {
            out.add("HOSTNAME=" + hostname);
        }
        if (envValue("HOME") == null) {
            out.add("HOME=" + (user.uid() == 0 ? "/root" : "/"));
        }
        return out;
    }

    static String requireAbsolute(String path, String what) {
        Objects.requireNonNull(path, what);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(what + " must be an absolute path: '" + path + "'");
        }
        return path;
    }
}
