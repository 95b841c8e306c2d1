package dev.kiln.builder.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Rootless podman as a judge: run as {@code KILN_IT_USER} when the tests run as root (else as the
 * current user), with a fresh HOME, XDG_RUNTIME_DIR and storage under one temp dir, so it shares
 * nothing with the user's own podman. The flags are the ones that work on the test machines:
 * {@code --runtime runc} (Debian's crun fails on hybrid cgroups), {@code --cgroup-manager cgroupfs}
 * and {@code --events-backend file} (no systemd session), {@code --storage-driver vfs}.
 * {@link #close()} ends podman's pause process and deletes everything.
 */
final class RootlessPodman implements AutoCloseable {
    private final Path dir;
    private final String user;

    private RootlessPodman(Path dir, String user) {
        this.dir = dir;
        this.user = user;
    }

    /** Sets up podman's directories; skips the test, saying why, when rootless podman cannot run. */
    static RootlessPodman start() throws IOException, InterruptedException {
        ExternalTool.assumeInstalled("podman");
        ExternalTool.assumeInstalled("runc");
        String user = isRoot() ? ItEnv.require("KILN_IT_USER") : null;
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "kiln-podman-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("run"));
        if (user != null) {
            ExternalTool.run("chown", "-R", user + ":", dir.toString()).assertSuccess();
        }
        RootlessPodman podman = new RootlessPodman(dir, user);
        ExternalTool.Result info = podman.run("info", "--format", "{{.Host.Security.Rootless}}");
        if (info.exitCode() != 0 || !info.stdout().strip().equals("true")) {
            podman.close();
            assumeTrue(false, "rootless podman cannot run here as " + (user == null ? "the current user" : user)
                    + " (podman info exit " + info.exitCode() + "): " + info.stderr().strip());
        }
        return podman;
    }

    /** {@code podman GLOBAL-FLAGS ARGS...} as the user, in its own environment. */
    ExternalTool.Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=" + dir.resolve("home"), "XDG_RUNTIME_DIR=" + dir.resolve("run"),
                "podman", "--root", dir.resolve("storage").toString(),
                "--runroot", dir.resolve("run/storage").toString(),
                "--storage-driver", "vfs", "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Removes every container, ends the user namespace's pause process, deletes the storage. */
    @Override
    public void close() throws IOException, InterruptedException {
        run("rm", "--all", "--force", "--time", "0");
        run("unshare", "rm", "-rf", dir.resolve("storage").toString());
        Path pause = dir.resolve("run/libpod/tmp/pause.pid");
        if (Files.isRegularFile(pause)) {
            ExternalTool.run("kill", Files.readString(pause).strip());
        }
        ExternalTool.run("rm", "-rf", dir.toString());
    }
}
