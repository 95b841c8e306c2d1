package dev.kiln.oci.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reruns unit test classes as an unprivileged user, from an integration test running as root (as
 * CI runs them): this JVM's class path is copied to a world-readable directory and a child JVM
 * runs {@link RunTestClasses} as the user, with no locale ({@code env -i}, as CI runners start
 * kiln), either as the user itself or as root of a new user namespace mapping the user's
 * subordinate id range ({@code unshare --map-root-user --map-auto}: how rootless kiln unpacks
 * layers).
 */
public final class AsUser {
    private final Path scratch;
    private final String classpath;

    private AsUser(Path scratch, String classpath) {
        this.scratch = scratch;
        this.classpath = classpath;
    }

    /**
     * The user named by {@code envVar} ({@code KILN_IT_USER}); skips loudly when the variable is
     * unset, the test does not run as root or the user is missing.
     */
    public static String user(String envVar) throws IOException, InterruptedException {
        String user = ExternalTool.assumeEnv(envVar);
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "switching to " + user + " with runuser needs root (scripts/test.sh runs the tests as root)");
        Assumptions.assumeTrue(ExternalTool.run("id", "-u", user).exitCode() == 0,
                "user " + user + " (from " + envVar + ") does not exist: scripts/test.sh creates it");
        return user;
    }

    /** Copies this JVM's class path under a new world-readable directory in /tmp. */
    public static AsUser prepare() throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory(Path.of("/tmp"), "kiln-as-user-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = scratch.resolve("cp").resolve((i++) + "-" + src.getFileName());
            Files.createDirectories(dst.getParent());
            ExternalTool.run("cp", "-r", src.toString(), dst.toString()).assertSuccess();
            entries.add(dst.toString());
        }
        ExternalTool.run("chmod", "-R", "a+rX", scratch.toString()).assertSuccess();
        return new AsUser(scratch, String.join(File.pathSeparator, entries));
    }

    /**
     * Runs the test classes (named in full: package-private ones too) as {@code user} (in a user namespace with its subordinate ids when
     * {@code userNamespace}), with {@code properties} as {@code -D} system properties.
     */
    public ExternalTool.Result run(String user, boolean userNamespace, Map<String, String> properties,
                                   List<String> testClasses) throws IOException, InterruptedException {
        Path tmp = Files.createDirectory(scratch.resolve("tmp-" + user + (userNamespace ? "-userns" : "")));
        ExternalTool.run("chown", user + ":", tmp.toString()).assertSuccess();
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        if (userNamespace) {
            cmd.addAll(List.of("unshare", "--map-root-user", "--map-auto"));
        }
        cmd.addAll(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=" + tmp,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmp));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", classpath, RunTestClasses.class.getName()));
        cmd.addAll(testClasses);
        return ExternalTool.run(Duration.ofMinutes(30), cmd.toArray(String[]::new));
    }

    /** Removes the copied class path and the users' temp dirs. */
    public void delete() throws IOException, InterruptedException {
        ExternalTool.run("rm", "-rf", scratch.toString());
    }
}
