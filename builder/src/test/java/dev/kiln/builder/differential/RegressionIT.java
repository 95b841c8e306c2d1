package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression cases of defects found building real-world Dockerfiles ({@code testdata/regression/},
 * see its README): each case is built by {@code kiln build} as the unprivileged {@code KILN_IT_USER}
 * with a locale-free environment ({@code env -i HOME=… PATH=/usr/bin:/bin}, as CI runners and
 * pods give), once per owner its {@code context-owners} file names (default: the builder), all
 * into one store, and its flattened result must be exactly its {@code expected} file's; {@code kiln
 * check} (same user, same environment) must accept it, or refuse it as {@code check-fails} says. A case
 * with {@code rebuild.sh} is then changed by that script and built again; the result must match
 * {@code expected-after-rebuild} (the cache must not hand back the old layer).
 */
class RegressionIT {
    static final Path CASES = Path.of("..", "testdata", "regression").toAbsolutePath().normalize();
    private static Path work;
    private static String user;
    private static String registry;
    private static Path jar;

    @BeforeAll
    static void setUp() throws IOException, InterruptedException {
        registry = System.getenv("KILN_IT_REGISTRY");
        String jarPath = System.getenv("KILN_IT_JAR");
        assumeTrue(registry != null && !registry.isBlank() && jarPath != null && !jarPath.isBlank(),
                "KILN_IT_REGISTRY and KILN_IT_JAR are not set: run the integration tests through scripts/test.sh");
        jar = Path.of(jarPath);
        if (isRoot()) {
            user = System.getenv("KILN_IT_USER");
            assumeTrue(user != null && !user.isBlank(), "KILN_IT_USER is not set (the tests run as root)");
        }
        work = Files.createTempDirectory("kiln-regression-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("home"));
        if (user != null) {
            ExternalTool.run("chown", user + ":", work.resolve("home").toString()).assertSuccess();
        }
    }

    @AfterAll
    static void tearDown() throws IOException, InterruptedException {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static Stream<String> cases() throws IOException {
        String only = System.getProperty("kiln.regression.cases", "");
        return BuildCase.all(CASES).stream().map(BuildCase::name)
                .filter(n -> only.isBlank() || List.of(only.split(",")).contains(n));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void build_asUnprivilegedUserWithoutLocale_givesTheExpectedResult(String name) throws Exception {
        Path dir = CASES.resolve(name);
        BuildCase c = new BuildCase(name, dir);
        for (String owner : owners(dir)) {
            Path caseDir = work.resolve(name + "-" + owner);
            c.prepare(caseDir, userOf(owner));
            Path context = caseDir.resolve("context");
            check(c, caseDir, owner, ExpectedResult.read(dir.resolve("expected")));
            if (Files.exists(dir.resolve("rebuild.sh"))) {
                run(context, dir.resolve("rebuild.sh"));
                check(c, caseDir, owner, ExpectedResult.read(dir.resolve("expected-after-rebuild")));
            }
        }
    }

    /** Runs a case's shell script in {@code dir}; it must succeed. */
    private static void run(Path dir, Path script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", script.toString()).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(script + ": " + out).isZero();
    }

    private void check(BuildCase c, Path caseDir, String owner, ExpectedResult expected) throws Exception {
        Path out = work.resolve("home").resolve(c.name() + "-" + owner + ".tar");
        Files.deleteIfExists(out);
        String what = c.name() + " (context owned by " + owner + ")";
        Build checked = kiln(c.name(), caseDir, List.of("check", "-f", caseDir.resolve("meta/Dockerfile").toString()),
                c, caseDir.resolve("context"));
        if (expected.checkFailure() == null) {
            assertThat(checked.exit).as("kiln check of " + what + ":\n" + checked.log).isZero();
        } else {
            assertThat(checked.exit).as("kiln check of " + what + " must refuse it").isNotZero();
            assertThat(checked.log).contains(expected.checkFailure());
        }
        Build b = build(c, caseDir, out);
        if (expected.failure() != null) {
            assertThat(b.exit).as(what + " must fail; output:\n" + b.log).isNotZero();
            assertThat(b.log).as(what).contains(expected.failure());
            return;
        }
        assertThat(b.exit).as(what + " failed; output:\n" + b.log).isZero();
        Path layout = Files.createDirectories(caseDir.resolve("image-" + System.nanoTime()));
        ExternalTool.run("tar", "-xf", out.toString(), "-C", layout.toString()).assertSuccess();
        BuiltImage image = BuiltImage.fromOciLayout(layout);
        assertThat(expected.mismatches(image.tree(), image.config())).as(what).isEmpty();
    }

    /** The context's owners for this case: {@code builder} is the user kiln runs as. */
    private static List<String> owners(Path dir) throws IOException {
        Path f = dir.resolve("context-owners");
        List<String> owners = Files.exists(f) ? Files.readAllLines(f).stream().map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList() : List.of("builder");
        if (!isRoot()) {
            assumeTrue(owners.equals(List.of("builder")), "contexts owned by " + owners
                    + " need the tests to run as root (scripts/test.sh)");
        }
        return owners;
    }

    /** The user owning a context for {@code owner} of context-owners, or null (the current user). */
    private static String userOf(String owner) {
        if (!isRoot()) {
            return null;
        }
        return owner.equals("builder") ? user : owner.equals("nomap")
                ? System.getenv().getOrDefault("KILN_IT_USER_NOMAP", "kiln-nomap") : owner;
    }

    private record Build(int exit, String log) {}

    private static Build build(BuildCase c, Path caseDir, Path out) throws IOException, InterruptedException {
        return kiln(c.name(), caseDir, List.of("build", "--root", work.resolve("home/store").toString(),
                "--registry-mirror", "docker.io=" + registry, "--progress", "plain",
                "-f", caseDir.resolve("meta/Dockerfile").toString(), "-t", "regression-" + c.name(),
                "-o", "type=oci,dest=" + out), c, caseDir.resolve("context"));
    }

    /** {@code kiln ARGS BUILD-ARGS CONTEXT} as the test user, {@code env -i}: no locale. */
    private static Build kiln(String name, Path caseDir, List<String> args, BuildCase c, Path context)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(List.of("env", "-i", "HOME=" + work.resolve("home"), "PATH=/usr/bin:/bin",
                "java", "-jar", jar.toString()));
        cmd.addAll(args);
        cmd.addAll(c.args());
        cmd.add(context.toString());
        Path log = caseDir.resolve("kiln-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("kiln " + args.get(0) + " of " + name + " did not finish in 15 minutes");
        }
        return new Build(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
