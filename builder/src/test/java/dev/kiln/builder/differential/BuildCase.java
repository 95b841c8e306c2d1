package dev.kiln.builder.differential;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One directory of {@code testdata/build/}: a Dockerfile and its context, plus optional files that
 * are not part of the context:
 * <ul>
 *   <li>{@code Dockerfile.buildah}: what buildah builds instead, when buildah 1.28 lacks a feature
 *       (the substitution is itself a listed difference);
 *   <li>{@code build-args}: arguments for both builders, one per line ({@code --target}, {@code --build-arg});
 *   <li>{@code setup.sh}: run with {@code sh} in the context copy before the build (hardlinks,
 *       special modes and times git cannot keep, archives);
 *   <li>{@code parent/}: a Dockerfile built first by both, tagged {@code NAME-parent};
 *   <li>{@code expected-differences.tsv}: the differences this case is known to show, with reasons;
 *   <li>for {@link RegressionIT}: {@code expected}, {@code expected-after-rebuild}, {@code rebuild.sh}
 *       and {@code context-owners}.
 * </ul>
 */
record BuildCase(String name, Path dir) {
    /** Every context file gets this mtime before setup.sh runs (git checkouts keep none). */
    static final long CONTEXT_MTIME = 1_600_000_000L;
    static final String BUILDAH_DOCKERFILE = "Dockerfile.buildah";
    private static final List<String> NOT_CONTEXT = List.of(BUILDAH_DOCKERFILE, "build-args", "setup.sh", "parent",
            ExpectedDifferences.FILE_NAME, "expected", "expected-after-rebuild", "rebuild.sh", "context-owners");

    /** The cases under {@code root}, sorted by name. */
    static List<BuildCase> all(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("Dockerfile")))
                    .map(d -> new BuildCase(d.getFileName().toString(), d)).sorted(
                            java.util.Comparator.comparing(BuildCase::name))
                    .toList();
        }
    }

    boolean buildahHasOwnDockerfile() {
        return Files.exists(dir.resolve(BUILDAH_DOCKERFILE));
    }

    boolean hasParent() {
        return Files.isDirectory(dir.resolve("parent"));
    }

    List<String> args() throws IOException {
        Path f = dir.resolve("build-args");
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList() : List.of();
    }

    ExpectedDifferences expected() throws IOException {
        return ExpectedDifferences.read(dir.resolve(ExpectedDifferences.FILE_NAME));
    }

    /**
     * Copies the case to {@code into}: {@code into/context} (times set, setup.sh run) and
     * {@code into/meta} (the Dockerfiles and the parent's context), owned by {@code owner} (a user
     * name; null: left to the current user). setup.sh runs as that owner after the copy changed
     * hands, since a chown afterwards would clear the setuid and setgid bits it sets.
     */
    void prepare(Path into, String owner) throws IOException, InterruptedException {
        Path context = into.resolve("context");
        Path meta = into.resolve("meta");
        Files.createDirectories(meta);
        ExternalTool.run("cp", "-a", dir.toString(), context.toString()).assertSuccess();
        for (String m : NOT_CONTEXT) {
            if (Files.exists(context.resolve(m))) {
                Files.move(context.resolve(m), meta.resolve(m));
            }
        }
        Files.copy(context.resolve("Dockerfile"), meta.resolve("Dockerfile"));
        if (owner != null) {
            ExternalTool.run("chown", "-R", owner + ":", into.toString()).assertSuccess();
        }
        setTimes(context, meta);
        if (Files.exists(meta.resolve("setup.sh"))) {
            List<String> cmd = new java.util.ArrayList<>();
            if (owner != null && !owner.equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("runuser", "-u", owner, "--"));
            }
            cmd.addAll(List.of("sh", meta.resolve("setup.sh").toString()));
            Process p = new ProcessBuilder(cmd).directory(context.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(name + "/setup.sh failed:\n" + out);
            }
            setTimes(context, meta); // what setup.sh made or touched; older times it set stay
        }
    }

    /** Sets every time newer than {@link #CONTEXT_MTIME} to it. */
    private static void setTimes(Path... dirs) throws IOException, InterruptedException {
        for (Path d : dirs) {
            ExternalTool.run("find", d.toString(), "-newermt", "@" + CONTEXT_MTIME, "-exec", "touch", "-h", "-d",
                    "@" + CONTEXT_MTIME, "{}", "+").assertSuccess();
        }
    }
}
