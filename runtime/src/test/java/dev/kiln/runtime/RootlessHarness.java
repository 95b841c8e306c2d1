package dev.kiln.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link Harness} as an unprivileged user through {@code runuser}, from tests that run as
 * root: copies the class path to a world-readable directory, builds a busybox root filesystem
 * owned by that user, and collects exit code and output.
 */
final class RootlessHarness {
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Path base;
    private final String classpath;

    private RootlessHarness(Path base, String classpath) {
        this.base = base;
        this.classpath = classpath;
    }

    /** The user named by {@code envVar}; skips the test (loudly) when it cannot be used. */
    static String user(String envVar) {
        String user = System.getenv(envVar);
        assumeTrue(user != null && !user.isBlank(),
                envVar + " is not set (scripts/test.sh sets it to an unprivileged test user)");
        assumeTrue("root".equals(System.getProperty("user.name")),
                "integration tests switch users with runuser and must run as root");
        assumeTrue(exec(List.of("id", "-u", user)).exitCode() == 0,
                "user " + user + " (from " + envVar + ") does not exist");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")),
                "/bin/busybox is missing (install busybox-static)");
        return user;
    }

    static RootlessHarness create() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "kiln-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (Class<?> c : List.of(Sandbox.class, Harness.class, KilnException.class, Native.class)) {
            Path src = Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath());
            Path dst = base.resolve("cp").resolve((i++) + "-" + src.getFileName());
            Files.createDirectories(dst.getParent());
            exec(List.of("cp", "-r", src.toString(), dst.toString()));
            entries.add(dst.toString());
        }
        exec(List.of("chmod", "-R", "a+rX", base.toString()));
        return new RootlessHarness(base, String.join(":", entries));
    }

    /** A fresh directory owned by {@code user}. */
    Path dirFor(String user, String name) throws IOException {
        Path dir = Files.createDirectories(base.resolve(user).resolve(name));
        exec(List.of("chown", "-R", user + ":", base.resolve(user).toString()));
        exec(List.of("chmod", "755", base.resolve(user).toString()));
        return dir;
    }

    /** A busybox root filesystem owned by {@code user}: /bin (busybox and applets), /etc, /tmp. */
    Path busyboxRootfs(String user, String name) throws IOException {
        Path root = Files.createDirectories(base.resolve(user).resolve(name));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        String list = exec(List.of("/bin/busybox", "--list")).stdout();
        for (String applet : list.split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet.trim()), Path.of("busybox"));
            }
        }
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnobody:x:65534:\n");
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("root"));
        exec(List.of("chmod", "1777", root.resolve("tmp").toString()));
        exec(List.of("chown", "-R", user + ":", base.resolve(user).toString()));
        exec(List.of("chmod", "755", base.resolve(user).toString()));
        return root;
    }

    /** Runs the harness as {@code user} with {@code args}. */
    Result run(String user, List<String> args) {
        return run(List.of(), user, args);
    }

    /** Runs the harness as {@code user} with {@code args}, its command line after {@code prefix}. */
    Result run(List<String> prefix, String user, List<String> args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("runuser", "-u", user, "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto", "-cp", classpath, Harness.class.getName()));
        cmd.addAll(args);
        return exec(cmd);
    }

    void delete() {
        exec(List.of("rm", "-rf", base.toString()));
    }

    static Result exec(List<String> cmd) {
        try {
            Path out = Files.createTempFile("kiln-it-out", ".txt");
            Path err = Files.createTempFile("kiln-it-err", ".txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                            Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
