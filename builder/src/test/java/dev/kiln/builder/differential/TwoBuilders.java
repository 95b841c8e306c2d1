package dev.kiln.builder.differential;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code kiln build} and {@code buildah bud} rootless as the test user (through
 * {@code runuser} when the tests run as root), each with its own store shared by all cases, and
 * exports what they built: kiln as an OCI archive, buildah as a {@code dir:} copy of its Docker
 * format image.
 */
final class TwoBuilders {
    /** {@code SOURCE_DATE_EPOCH} for kiln: fixed, so its builds are reproducible and cached. */
    static final long SOURCE_DATE_EPOCH = 1_750_000_000L;

    private final Path work;
    private final String user;
    private final Path jar;
    private final String registry;

    /**
     * @param work a directory the test user can write (stores, registries.conf, logs)
     * @param user the user to run as, or null to run as the current user
     */
    TwoBuilders(Path work, String user, Path jar, String registry) throws IOException {
        this.work = work;
        this.user = user;
        this.jar = jar;
        this.registry = registry;
        Files.createDirectories(work.resolve("home/run"));
        Files.writeString(work.resolve("registries.conf"), """
                unqualified-search-registries = ["docker.io"]
                [[registry]]
                prefix = "docker.io"
                location = "docker.io"
                [[registry.mirror]]
                location = "%s"
                insecure = true
                """.formatted(registry));
    }

    /** Gives the test user the work directory (and the run dir the 0700 it wants). */
    void handOver() throws IOException, InterruptedException {
        ExternalTool.run("chmod", "700", work.resolve("home/run").toString()).assertSuccess();
        if (user != null) {
            ExternalTool.run("chown", "-R", user + ":", work.toString()).assertSuccess();
        }
    }

    /** {@code kiln build … -t TAG [-o type=oci,dest=ARCHIVE] ARGS CONTEXT}. */
    void kiln(Path context, Path dockerfile, String tag, Path archive, List<String> args, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + work.resolve("home"),
                "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH, "java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString(), "build", "--root", work.resolve("kiln-store").toString(),
                "--registry-mirror", "docker.io=" + registry, "--progress", "plain", "-f", dockerfile.toString(),
                "-t", tag));
        if (archive != null) {
            cmd.addAll(List.of("-o", "type=oci,dest=" + archive));
        }
        cmd.addAll(args);
        cmd.add(context.toString());
        run("kiln build", cmd, log);
    }

    /** {@code buildah bud --layers --format docker -t TAG ARGS CONTEXT}, then a push to {@code dir:OUT}. */
    void buildah(Path context, Path dockerfile, String tag, Path out, List<String> args, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("buildah", "bud", "--runtime", "runc", "--network", "host",
                "--layers", "--format", "docker", "-f", dockerfile.toString(), "-t", tag));
        cmd.addAll(args);
        cmd.add(context.toString());
        run("buildah bud", buildahEnv(cmd), log);
        if (out != null) {
            run("buildah push", buildahEnv(List.of("buildah", "push", "--quiet", tag, "dir:" + out)), log);
        }
    }

    /** Removes the buildah store (its files belong to subordinate ids) and everything else. */
    void cleanUp() throws IOException, InterruptedException {
        if (user == null) {
            ExternalTool.run("buildah", "unshare", "rm", "-rf", work.toString());
        } else {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    private List<String> buildahEnv(List<String> cmd) {
        List<String> all = new ArrayList<>(List.of("env", "-i", "HOME=" + work.resolve("home"),
                "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "XDG_RUNTIME_DIR=" + work.resolve("home/run"),
                "CONTAINERS_REGISTRIES_CONF=" + work.resolve("registries.conf")));
        all.addAll(cmd);
        return all;
    }

    private void run(String what, List<String> cmd, Path log) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>();
        if (user != null) {
            all.addAll(List.of("runuser", "-u", user, "--"));
        }
        all.addAll(cmd);
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(all).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in 10 minutes; log " + log);
        }
        Files.writeString(log, String.format("# %s took %.1f s%n", what, (System.nanoTime() - start) / 1e9),
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        if (p.exitValue() != 0) {
            throw new BuildFailed(what + " exited " + p.exitValue() + "; last lines of " + log + ":\n"
                    + tail(Files.readString(log, StandardCharsets.UTF_8)));
        }
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 25), lines.length));
    }

    /** A build that exited non-zero. */
    static final class BuildFailed extends AssertionError {
        BuildFailed(String message) {
            super(message);
        }
    }
}
