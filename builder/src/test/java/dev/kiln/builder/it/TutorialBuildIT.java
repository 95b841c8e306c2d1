package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The tutorial's {@code kiln build --registry-mirror docker.io=REGISTRY -t my-python-app .} as the
 * unprivileged {@code KILN_IT_USER} (when the tests run as root; else as the current user), with
 * the output judged by skopeo, umoci, oci-image-tool and rootless podman (which serves the page from
 * the archive); then the no-change rebuild, reproducible builds with SOURCE_DATE_EPOCH, and a
 * failing RUN. The tests that bind port 5000 run one after the other (JUnit's default).
 */
class TutorialBuildIT {
    String registry;
    UserKiln kiln;
    Path jar;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        kiln = UserKiln.create("kiln-tutorial-it-");
        jar = kiln.jar();
        work = kiln.work();
        Path example = Path.of("..", "examples", "hello-flask").toAbsolutePath().normalize();
        assertThat(example.resolve("Dockerfile")).exists();
        ExternalTool.run("cp", "-r", example.toString(), work.resolve("app").toString()).assertSuccess();
        UserKiln.chown(work);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (kiln != null) {
            kiln.delete();
        }
    }

    private static boolean isRoot() {
        return UserKiln.isRoot();
    }

    /** Runs {@code kiln ARGS} as the test user (runuser when root), with {@code env} added. */
    private UserKiln.Result kiln(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return kiln.run(env, 15, args);
    }

    private UserKiln.Result build(String store, Map<String, String> env, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--root", work.resolve(store).toString(),
                "--registry-mirror", "docker.io=" + registry, "--progress", "plain"));
        args.addAll(List.of(extra));
        return kiln(env, args.toArray(String[]::new));
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void tutorial_buildsAsUnprivilegedUser_imageJudgedByTools_rebuildFullyCached() throws Exception {
        Path archive = work.resolve("my-python-app.tar");
        UserKiln.Result first = build("store", Map.of(), "-t", "my-python-app", "-o", archive.toString(), "app").ok();
        assertThat(first.out()).contains("STEP 4/7: RUN pip install --no-cache-dir -r requirements.txt")
                .contains("\nSuccessfully tagged my-python-app:latest\n");
        String id = lastLine(first.out());
        assertThat(id).startsWith("sha256:");

        assertThat(kiln(Map.of(), "images", "--root", work.resolve("store").toString()).ok().out())
                .containsPattern("(?m)^my-python-app +latest ")
                .as("the pulled base is listed too, under Docker Hub's name").containsPattern("(?m)^python +3.9-slim ");

        JsonNode config = Json.readTree(ExternalTool.run("skopeo", "inspect", "--config",
                "oci-archive:" + archive + ":latest").assertSuccess().stdout().getBytes(StandardCharsets.UTF_8));
        assertThat(config.path("config").path("Cmd").toString()).isEqualTo("[\"python\",\"app.py\"]");
        assertThat(config.path("config").path("WorkingDir").asText()).isEqualTo("/app");
        assertThat(config.path("config").path("ExposedPorts").has("5000/tcp")).isTrue();
        List<String> createdBy = new ArrayList<>();
        config.path("history").forEach(h -> createdBy.add(h.path("created_by").asText()));
        assertThat(createdBy).endsWith("WORKDIR /app", "COPY requirements.txt requirements.txt # buildkit",
                "RUN /bin/sh -c pip install --no-cache-dir -r requirements.txt # buildkit",
                "COPY app.py app.py # buildkit", "EXPOSE map[5000/tcp:{}]", "CMD [\"python\" \"app.py\"]");

        Path layout = work.resolve("layout");
        Files.createDirectories(layout);
        ExternalTool.run("tar", "-xf", archive.toString(), "-C", layout.toString()).assertSuccess();
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=latest", layout.toString())
                .assertSuccess();
        Path bundle = work.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout + ":latest", bundle.toString())
                .assertSuccess();
        assertThat(bundle.resolve("rootfs/app/app.py")).hasContent(
                Files.readString(Path.of("..", "examples", "hello-flask", "app.py")));
        assertThat(bundle.resolve("rootfs/etc/hostname")).satisfiesAnyOf(
                p -> assertThat(Files.exists(p)).isFalse(), p -> assertThat(Files.size(p)).isPositive());

        UserKiln.Result again = build("store", Map.of(), "-t", "my-python-app", "app").ok();
        assertThat(again.out().split("--> CACHED", -1)).hasSize(7);
        assertThat(again.out()).doesNotContain("Requirement already satisfied").doesNotContain("downloaded");
        assertThat(lastLine(again.out())).isEqualTo(id);
    }

    @Test
    void tutorial_runServesHelloDocker_thenCtrlCStopsIt() throws Exception {
        build("store", Map.of(), "-t", "my-python-app", "app").ok();
        // kiln run -p 5000:5000 my-python-app, in its own process group as a terminal's foreground
        // job, with SIGINT at its default disposition (a background job's is "ignore").
        List<String> cmd = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT,QUIT"));
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", ItEnv.require("KILN_IT_USER"), "--"));
        }
        cmd.addAll(List.of("env", "HOME=" + work, "java", "-jar", jar.toString(), "run",
                "--root", work.resolve("store").toString(), "-p", "5000:5000", "my-python-app"));
        Path log = work.resolve("run.log");
        Process app = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long group = app.pid();
        try {
            String body = "";
            for (int i = 0; i < 600 && app.isAlive() && !body.equals("Hello, Docker!"); i++) {
                Thread.sleep(200);
                body = ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:5000/").stdout();
            }
            assertThat(body).as(Files.readString(log)).isEqualTo("Hello, Docker!");

            ExternalTool.run("kill", "-INT", "--", "-" + group).assertSuccess();
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("kiln run ended after Ctrl+C; log:\n%s",
                    Files.readString(log)).isTrue();
            assertThat(ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:5000/").exitCode())
                    .as("nothing answers on 5000 any more").isNotZero();
        } finally {
            ExternalTool.run("kill", "-KILL", "--", "-" + group);
            app.destroyForcibly();
        }
    }

    @Test
    void archive_podmanRunsItRootlessWithRunc_servesHelloDocker() throws Exception {
        Path archive = work.resolve("my-python-app.tar");
        build("store", Map.of(), "-t", "my-python-app", "-o", archive.toString(), "app").ok();
        try (RootlessPodman podman = RootlessPodman.start()) {
            // the app binds 5000 as in the tutorial; kiln run's test frees it before this one runs
            ExternalTool.Result started = podman.run("run", "--rm", "-d", "--network", "host",
                    "oci-archive:" + archive);
            assertThat(started.exitCode()).as(started.toString()).isZero();
            String container = lastLine(started.stdout());
            try {
                String body = "";
                for (int i = 0; i < 300 && !body.equals("Hello, Docker!"); i++) {
                    Thread.sleep(200);
                    body = ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:5000/").stdout();
                }
                assertThat(body).as("podman logs: %s", podman.run("logs", container)).isEqualTo("Hello, Docker!");
            } finally {
                podman.run("stop", "--time", "2", container);
            }
            assertThat(ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:5000/").exitCode())
                    .as("nothing answers on 5000 once the container stopped").isNotZero();
        }
    }

    @Test
    void sourceDateEpoch_twoColdBuilds_sameImageId() throws Exception {
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
        String a = lastLine(build("store-a", env, "--no-cache", "app").ok().out());
        String b = lastLine(build("store-b", env, "--no-cache", "app").ok().out());
        assertThat(b).isEqualTo(a);
    }

    @Test
    void cachedRebuild_staysOutsideTheNamespace_thenAChangedRunStillSeesTheRealOwners() throws Exception {
        Path ctx = work.resolve("owners");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\n"
                + "RUN mkdir /data && touch /data/f && chown 1000:2000 /data/f\n"
                + "ARG PROBE=1\n"
                + "RUN echo probe $PROBE && stat -c 'owner %n %u:%g' /bin/busybox /etc/passwd /data/f\n");
        if (isRoot()) {
            ExternalTool.run("chown", "-R", ItEnv.require("KILN_IT_USER") + ":", ctx.toString()).assertSuccess();
        }
        UserKiln.Result first = build("store-o", Map.of(), "--debug", "owners").ok();
        assertThat(first.err()).contains("re-executed in a user namespace");
        assertThat(first.out()).contains("owner /bin/busybox 0:0", "owner /etc/passwd 0:0", "owner /data/f 1000:2000");

        UserKiln.Result again = build("store-o", Map.of(), "--debug", "owners").ok();
        assertThat(again.err()).contains("no user namespace needed").doesNotContain("re-executed in a user namespace");
        assertThat(again.out().split("--> CACHED", -1)).hasSize(4);
        assertThat(lastLine(again.out())).isEqualTo(lastLine(first.out()));

        // the last RUN misses: kiln goes into its namespace, over layers the cached build left alone
        UserKiln.Result changed = build("store-o", Map.of(), "--debug", "--build-arg", "PROBE=2", "owners").ok();
        assertThat(changed.err()).contains("re-executed in a user namespace");
        assertThat(changed.out()).contains("probe 2", "owner /bin/busybox 0:0", "owner /etc/passwd 0:0",
                "owner /data/f 1000:2000");
    }

    @Test
    void failingRun_exitsWithItsCode_leavesNoOutputAndNoTag() throws Exception {
        Path ctx = work.resolve("fail");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN echo about to fail && exit 3\n");
        if (isRoot()) {
            ExternalTool.run("chown", "-R", ItEnv.require("KILN_IT_USER") + ":", ctx.toString()).assertSuccess();
        }
        Path out = work.resolve("fail.tar");
        UserKiln.Result r = build("store-f", Map.of(), "-t", "should-not-exist", "-o", out.toString(), "fail");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("Dockerfile:2").contains("exit code 3").contains("about to fail");
        assertThat(out).doesNotExist();
        assertThat(kiln(Map.of(), "images", "--root", work.resolve("store-f").toString()).out())
                .doesNotContain("should-not-exist");
    }
}
