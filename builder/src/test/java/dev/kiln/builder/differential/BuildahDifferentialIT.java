package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.TestAbortedException;

/**
 * Differential tests: every case under {@code testdata/build/} is built by kiln and by
 * {@code buildah bud} (rootless, as {@code KILN_IT_USER}); the images are compared file by file
 * from their layers and config field by field, and the differences must be exactly the listed
 * ones ({@code expected-differences.tsv} of the case and of {@code testdata/build/}). kiln's
 * archive must also unpack with {@code umoci unpack --rootless}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildahDifferentialIT {
    static final Path CASES = Path.of("..", "testdata", "build").toAbsolutePath().normalize();
    /** Regression cases with an {@code expected-differences.tsv} run here too, as {@code regression/NAME}. */
    static final String REGRESSION = "regression/";
    private static Path work;
    private static TwoBuilders builders;
    private static ExpectedDifferences shared;
    private static final Map<String, List<Difference>> FOUND = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<List<Difference>>> OUTCOMES = new ConcurrentHashMap<>();
    private static ExecutorService pool;
    private static volatile boolean failed;
    private static final ExecutorService kilnThreads = Executors.newCachedThreadPool();

    /** Why the cases cannot run here (a missing tool or variable), or null. */
    private static String missing;

    @BeforeAll
    static void setUp() throws Exception {
        try {
            start();
        } catch (TestAbortedException e) {
            missing = e.getMessage().replaceFirst("^Assumption failed: ", ""); // each test skips with it: counted
        }
    }

    private static void start() throws Exception {
        ExternalTool.assumeInstalled("buildah");
        ExternalTool.assumeInstalled("umoci");
        String registry = require("KILN_IT_REGISTRY");
        String jar = require("KILN_IT_JAR");
        String user = null;
        if ("root".equals(System.getProperty("user.name"))) {
            user = require("KILN_IT_USER");
            ExternalTool.assumeInstalled("runuser");
        }
        shared = ExpectedDifferences.read(CASES.resolve(ExpectedDifferences.FILE_NAME));
        work = Files.createTempDirectory("kiln-differential-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        builders = new TwoBuilders(work.resolve("builders"), user, Path.of(jar), registry);
        builders.handOver();
        warmUp();
        // Cases run one after the other by default (-Dkiln.differential.parallel=N overlaps them, but
        // buildah's storage locks make that slower here); each test judges its own case's outcome.
        pool = Executors.newFixedThreadPool(Integer.getInteger("kiln.differential.parallel", 1));
        for (String name : cases().toList()) {
            OUTCOMES.put(name, CompletableFuture.supplyAsync(() -> {
                try {
                    return runCase(name);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, pool));
        }
    }

    /** Both builders pull busybox once before the cases run side by side. */
    private static void warmUp() throws Exception {
        Path dir = work.resolve("cases").resolve("warm-up");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Dockerfile"), "FROM busybox\nLABEL warm=up\n");
        ExternalTool.run("chmod", "-R", "a+rX", work.resolve("cases").toString()).assertSuccess();
        ExternalTool.run("chown", "-R", ownerOf(work.resolve("builders")), dir.toString()).assertSuccess();
        builders.kiln(dir, dir.resolve("Dockerfile"), "warm-up", null, List.of(), dir.resolve("kiln.log"));
        builders.buildah(dir, dir.resolve("Dockerfile"), "warm-up", null, List.of(), dir.resolve("buildah.log"));
    }

    private static String require(String name) {
        String v = System.getenv(name);
        assumeTrue(v != null && !v.isBlank(), "environment variable " + name
                + " is not set: run the integration tests through scripts/test.sh");
        return v;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(2, TimeUnit.MINUTES);
        }
        kilnThreads.shutdownNow();
        if (builders != null) {
            builders.cleanUp();
        }
        if (work != null && !failed) {
            ExternalTool.run("rm", "-rf", work.toString());
        } else if (work != null) {
            System.out.println("kept the cases' logs and images for inspection: " + work.resolve("cases"));
        }
    }

    /** Every case, or those named by {@code -Dkiln.differential.cases=a,b}. */
    static Stream<String> cases() throws Exception {
        String only = System.getProperty("kiln.differential.cases", "");
        return all().stream().map(BuildCase::name)
                .filter(n -> only.isBlank() || List.of(only.split(",")).contains(n));
    }

    /**
     * The cases of {@code testdata/build/}, then those of {@code testdata/regression/} that hold an
     * {@code expected-differences.tsv} (named {@code regression/NAME}).
     */
    static List<BuildCase> all() throws java.io.IOException {
        List<BuildCase> all = new ArrayList<>(BuildCase.all(CASES));
        for (BuildCase r : BuildCase.all(RegressionIT.CASES)) {
            if (Files.exists(r.dir().resolve(ExpectedDifferences.FILE_NAME))) {
                all.add(new BuildCase(REGRESSION + r.name(), r.dir()));
            }
        }
        return all;
    }

    private static BuildCase named(String name) throws java.io.IOException {
        return all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kilnAndBuildah_differOnlyAsListed(String name) throws Exception {
        assumeTrue(missing == null, missing);
        BuildCase c = named(name);
        List<Difference> found;
        try {
            found = OUTCOMES.get(name).get();
        } catch (ExecutionException e) {
            failed = true;
            Throwable cause = e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
        FOUND.put(name, found);
        ExpectedDifferences.Verdict verdict = c.expected().judge(found, shared);
        failed |= !verdict.ok();
        assertThat(verdict.ok()).as(verdict.explain(name) + "\n(all differences of this case:\n  "
                + String.join("\n  ", found.stream().map(Difference::toString).toList()) + ")\nlogs and images: "
                + work.resolve("cases").resolve(name)).isTrue();
    }

    /** Prepares, builds and compares one case; returns its differences. */
    private static List<Difference> runCase(String name) throws Exception {
        BuildCase c = named(name);
        Path dir = work.resolve("cases").resolve(name);
        boolean root = "root".equals(System.getProperty("user.name"));
        c.prepare(dir, root ? Files.getOwner(work.resolve("builders")).getName() : null);
        if (!root) {
            ExternalTool.run("chmod", "-R", "a+rX", dir.toString());
        }
        List<Difference> found = build(c, dir);
        System.out.printf("%s: %s; %s%n", name, timings(kilnLog(dir)), timings(dir.resolve("buildah.log")));
        return found;
    }

    /** The shared list's entries must each still occur in some case. */
    @Order(2)
    @Test
    void sharedList_everyEntryStillOccurs() throws Exception {
        assumeTrue(missing == null, missing);
        assumeTrue(FOUND.size() == all().size(), "the shared list is judged only when every case ran ("
                + FOUND.size() + " of " + all().size() + " did)");
        List<Difference> all = FOUND.values().stream().flatMap(List::stream).toList();
        assertThat(shared.unmatched(all)).as("entries of testdata/build/" + ExpectedDifferences.FILE_NAME
                + " that no case shows any more").isEmpty();
    }

    private static Path kilnLog(Path dir) {
        return dir.resolve("kiln.log");
    }

    /** The "# … took N s" lines of a build log, joined. */
    private static String timings(Path log) throws java.io.IOException {
        if (!Files.exists(log)) {
            return "";
        }
        return String.join(", ", Files.readAllLines(log).stream().filter(l -> l.startsWith("# "))
                .map(l -> l.substring(2)).toList());
    }

    private static String ownerOf(Path p) throws Exception {
        return Files.getOwner(p).getName() + ":";
    }

    private static List<Difference> build(BuildCase c, Path dir) throws Exception {
        Path context = dir.resolve("context");
        Path meta = dir.resolve("meta");
        String tag = "diff-" + c.name();
        Path kilnArchive = dir.resolve("kiln.tar");
        Path buildahDir = dir.resolve("buildah.dir");
        Path kilnLog = dir.resolve("kiln.log");
        Path buildahLog = dir.resolve("buildah.log");
        List<String> args = c.args();
        Path buildahFile = meta.resolve(c.buildahHasOwnDockerfile() ? BuildCase.BUILDAH_DOCKERFILE : "Dockerfile");
        long start = Instant.now().getEpochSecond();
        CompletableFuture<Throwable> kiln = CompletableFuture.supplyAsync(() -> attempt(() -> {
            if (c.hasParent()) {
                builders.kiln(meta.resolve("parent"), meta.resolve("parent/Dockerfile"), c.name() + "-parent", null,
                        List.of(), kilnLog);
            }
            builders.kiln(context, meta.resolve("Dockerfile"), tag, kilnArchive, args, kilnLog);
        }), kilnThreads);
        Throwable buildahFailure = attempt(() -> {
            if (c.hasParent()) {
                builders.buildah(meta.resolve("parent"), meta.resolve("parent/Dockerfile"), c.name() + "-parent",
                        null, List.of(), buildahLog);
            }
            builders.buildah(context, buildahFile, tag, buildahDir, args, buildahLog);
        });
        Throwable kilnFailure = kiln.get();
        List<Difference> found = new ArrayList<>();
        if (c.buildahHasOwnDockerfile()) {
            found.add(new Difference("dockerfile buildah builds " + BuildCase.BUILDAH_DOCKERFILE,
                    "buildah 1.28 cannot build the Dockerfile"));
        }
        if (kilnFailure != null) {
            rethrowUnlessBuildFailure(kilnFailure);
            found.add(new Difference("build kiln-fails", kilnFailure.getMessage()));
        }
        if (buildahFailure != null) {
            rethrowUnlessBuildFailure(buildahFailure);
            found.add(new Difference("build buildah-fails", buildahFailure.getMessage()));
        }
        if (kilnFailure != null || buildahFailure != null) {
            return found;
        }
        Path layout = dir.resolve("kiln.oci");
        Files.createDirectories(layout);
        ExternalTool.run("tar", "-xf", kilnArchive.toString(), "-C", layout.toString()).assertSuccess();
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout + ":latest",
                dir.resolve("kiln.bundle").toString()).assertSuccess();
        BuiltImage k = BuiltImage.fromOciLayout(layout);
        BuiltImage b = BuiltImage.fromDirTransport(buildahDir);
        found.addAll(ConfigComparator.compare(k.config(), b.config()));
        found.addAll(new TreeComparator(TwoBuilders.SOURCE_DATE_EPOCH, start).compare(k.tree(), b.tree()));
        return found;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Throwable attempt(Step step) {
        try {
            step.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void rethrowUnlessBuildFailure(Throwable t) throws Exception {
        if (!(t instanceof TwoBuilders.BuildFailed)) {
            if (t instanceof Exception e) {
                throw e;
            }
            throw (Error) t;
        }
    }
}
