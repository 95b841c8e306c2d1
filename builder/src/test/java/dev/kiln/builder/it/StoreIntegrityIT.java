package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, finding 7 ("store integrity under faults"), as the unprivileged {@code KILN_IT_USER}:
 * kiln is killed with SIGKILL (with every process it started) at each phase of a build — while a
 * base layer is downloaded, while RUN runs, while the layer is written, while the output archive is
 * written, before the image is named — and each time the next build succeeds and
 * {@code kiln system check} finds the store clean. And two builds of different Dockerfiles from one
 * base, started together on one empty store, both succeed.
 */
class StoreIntegrityIT {
    String registry;
    UserKiln kiln;
    Path work;
    Path store;

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        kiln = UserKiln.create("kiln-faults-it-");
        work = kiln.work();
        store = work.resolve("store");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (kiln != null) {
            kiln.delete();
        }
    }

    /** A context (as {@link UserKiln#context}) and the logs directory, owned by the test user. */
    private Path context(String name, String dockerfile, Map<String, String> files) throws Exception {
        Files.createDirectories(work.resolve("logs"));
        return kiln.context(name, dockerfile, files);
    }

    /** Starts {@code java [jvmArgs] -jar kiln.jar ARGS} as the test user, output to logs/NAME.{out,err}. */
    private Process start(String name, List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(UserKiln.asUser());
        cmd.addAll(List.of("env", "HOME=" + work, "java"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", kiln.jar().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(work.resolve("logs/" + name + ".out").toFile())
                .redirectError(work.resolve("logs/" + name + ".err").toFile()).start();
    }

    private String log(String name) throws IOException {
        return Files.readString(work.resolve("logs/" + name + ".out")) + Files.readString(work.resolve("logs/" + name + ".err"));
    }

    private String[] buildArgs(Path ctx, String... extra) {
        List<String> a = new ArrayList<>(List.of("build", "--root", store.toString(), "--registry-mirror",
                "docker.io=" + registry, "--progress", "plain", "-t", "faults", "-o",
                "type=oci,dest=" + work.resolve("out.tar")));
        a.addAll(List.of(extra));
        a.add(ctx.toString());
        return a.toArray(String[]::new);
    }

    private void finish(Process p, String name) throws Exception {
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            killTree(p);
            throw new AssertionError(name + " did not finish in 10 minutes:\n" + log(name));
        }
        assertThat(p.exitValue()).as(name + ":\n" + log(name)).isZero();
    }

    /** SIGKILL to kiln and everything it started (its namespace's JVM, the spawner, the RUN). */
    private static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            h.onExit().join();
        }
    }

    /** Waits until {@code reached} says kiln got there; fails if kiln ends first. */
    private void awaitPhase(Process p, String name, java.util.concurrent.Callable<Boolean> reached) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!reached.call()) {
            if (!p.isAlive()) {
                throw new AssertionError(name + ": kiln ended (exit " + p.exitValue() + ") before the phase:\n" + log(name));
            }
            if (System.nanoTime() > deadline) {
                killTree(p);
                throw new AssertionError(name + ": phase not reached in 5 minutes:\n" + log(name));
            }
            Thread.sleep(50);
        }
    }

    private void assertCheckClean(String after) throws Exception {
        Process check = start("check-" + after, List.of(), "system", "check", "--root", store.toString());
        finish(check, "check-" + after);
        assertThat(log("check-" + after)).contains("The store is clean.");
    }

    @Test
    void storeIntegrity_killedAtEveryBuildPhase_nextBuildSucceeds_andCheckIsClean() throws Exception {
        Path ctx = context("ctx", "FROM busybox\nARG PAUSE=0\n"
                + "RUN echo RUN-STARTED && sleep $PAUSE && echo built > /built\nCOPY f /f\n", Map.of("f", "file"));
        for (String phase : List.of("pull", "run", "snapshot", "write", "commit")) {
            String name = "kill-" + phase;
            Path marker = work.resolve("logs/" + phase + ".reached");
            Process p;
            if (phase.equals("run")) {
                p = start(name, List.of(), buildArgs(ctx, "--no-cache", "--build-arg", "PAUSE=600"));
                awaitPhase(p, name, () -> log(name).contains("RUN-STARTED"));
            } else {
                p = start(name, List.of("-Dkiln.test.crashPoint=" + phase, "-Dkiln.test.crashMarker=" + marker),
                        buildArgs(ctx, "--no-cache"));
                awaitPhase(p, name, () -> Files.exists(marker));
            }
            killTree(p);

            String rebuilt = "build-after-" + phase;
            finish(start(rebuilt, List.of(), buildArgs(ctx)), rebuilt);
            assertCheckClean(phase);
        }
    }

    @Test
    void storeIntegrity_twoBuildsOfDifferentDockerfilesSharingTheBase_onOneStoreAtOnce_bothSucceed() throws Exception {
        Path a = context("a", "FROM busybox\nRUN echo a > /a\n", Map.of());
        Path b = context("b", "FROM busybox\nCOPY b /b\nRUN cat /b > /b2\n", Map.of("b", "b"));
        Process pa = start("a", List.of(), "build", "--root", store.toString(), "--registry-mirror",
                "docker.io=" + registry, "--progress", "plain", "-t", "a", a.toString());
        Process pb = start("b", List.of(), "build", "--root", store.toString(), "--registry-mirror",
                "docker.io=" + registry, "--progress", "plain", "-t", "b", b.toString());
        finish(pa, "a");
        finish(pb, "b");

        assertCheckClean("both");
        Process images = start("images", List.of(), "images", "--root", store.toString());
        finish(images, "images");
        assertThat(log("images")).containsPattern("(?m)^a +latest ").containsPattern("(?m)^b +latest ");
    }
}
