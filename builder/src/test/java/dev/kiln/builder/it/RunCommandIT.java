package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.runtime.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kiln run} as an unprivileged user (KILN_IT_USER, with subuids), as a separate process
 * ({@code runuser -u USER -- env -i HOME=… PATH=/usr/bin:/bin java -jar KILN_IT_JAR run …}, no
 * locale), against the busybox fixture image.
 */
class RunCommandIT {
    @RegisterExtension
    static final UserKiln.PerClass WORK = UserKiln.perClassAsRoot("kiln-run-it-");
    private static String image;
    private static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        image = ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest";
        root = WORK.kiln().work();
        UserKiln.chown(root);
        ExternalTool.Result pulled = null;
        for (int attempt = 0; attempt < 5; attempt++) { // the shared test registry may be restarting
            pulled = kilnCommand("pull", image);
            if (pulled.exitCode() == 0) {
                break;
            }
            Thread.sleep(2000);
        }
        assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
    }

    private static ExternalTool.Result kiln(String... args) throws Exception {
        return kilnCommand("run", args);
    }

    /** {@code kiln COMMAND --root STORE ARGS...} as the test user, with no locale (as CI runners and pods run it). */
    private static ExternalTool.Result kilnCommand(String command, String... args) throws Exception {
        return WORK.kiln().runBare(UserKiln.asUser(), root, command, args);
    }

    @Test
    void python_flaskImportsAndDetachedAppAnswersThenStops() throws Exception {
        String python = ItEnv.require("KILN_IT_REGISTRY") + "/library/python:3.9-slim";
        ExternalTool.Result version = kiln("--rm", python, "python3", "-c",
                "import flask; print(flask.__version__)");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout()).matches("\\d+\\.\\d+.*\n");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ExternalTool.Result started = kiln("-d", "--name", "flask-it", "-p", port + ":" + port, python,
                "python3", "-c", "from flask import Flask\napp = Flask('it')\n"
                        + "app.route('/')(lambda: 'hello from flask')\n"
                        + "app.run(host='127.0.0.1', port=" + port + ")");
        assertThat(started.exitCode()).as(started.toString()).isZero();
        String body = pollHttp(port, "hello from flask");
        assertThat(body).as(kilnCommand("logs", "flask-it").stdout()).isEqualTo("hello from flask");
        assertThat(kilnCommand("stop", "-t", "2", "flask-it").exitCode()).isZero();
        assertThat(ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:" + port + "/").exitCode())
                .isNotZero();
        kilnCommand("rm", "flask-it");
    }

    @Test
    void detached_psLogsStopRm_manageTheContainer() throws Exception {
        ExternalTool.Result started = kiln("-d", "--name", "ignorer", image, "sh", "-c",
                "trap '' TERM; echo started; sleep 120");
        assertThat(started.exitCode()).as(started.toString()).isZero();
        String id = started.stdout().trim();
        assertThat(id).hasSize(64);
        String ps = "";
        for (int i = 0; i < 100 && !ps.contains("ignorer"); i++) {
            Thread.sleep(200);
            ps = kilnCommand("ps").stdout();
        }
        assertThat(ps).contains(id.substring(0, 12)).contains("Up").contains("ignorer");
        String logs = "";
        for (int i = 0; i < 50 && !logs.contains("started"); i++) {
            Thread.sleep(200);
            logs = kilnCommand("logs", "ignorer").stdout();
        }
        assertThat(logs).contains("started");
        ExternalTool.Result stopped = kilnCommand("stop", "-t", "1", "ignorer");
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        assertThat(kilnCommand("ps").stdout()).doesNotContain("ignorer");
        assertThat(kilnCommand("ps", "-a").stdout()).contains("ignorer").contains("Exited (137)");
        assertThat(kilnCommand("rm", "ignorer").exitCode()).isZero();
        assertThat(kilnCommand("ps", "-a").stdout()).doesNotContain("ignorer");
    }

    /** Prints the options of the container's root mount, from its mountinfo (busybox sh). */
    private static final String ROOT_MOUNT = "while read -r id parent dev root mnt rest; do "
            + "[ \"$mnt\" = / ] && echo \"root mount: $rest\"; done < /proc/self/mountinfo; true";

    @Test
    void rootOverlay_volatileForBuildRunsAndRunRm_neverForAKeptContainer() throws Exception {
        String volatileOption = RootFs.volatileMountsHere() ? "volatile" : "upperdir="; // "fsync=volatile" since Linux 6.5
        ExternalTool.Result rm = kiln("--rm", image, "sh", "-c", ROOT_MOUNT);
        assertThat(rm.stdout()).as(rm.toString()).contains("root mount: ", "upperdir=", volatileOption);

        ExternalTool.Result kept = kiln("--name", "kept-overlay", image, "sh", "-c", ROOT_MOUNT);
        assertThat(kept.stdout()).as(kept.toString()).contains("root mount: ", "upperdir=").doesNotContain("volatile");
        assertThat(kilnCommand("rm", "kept-overlay").exitCode()).isZero();

        Path context = Files.createDirectories(root.resolve("volatile-context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + image + "\nRUN " + ROOT_MOUNT + "\n"
                + "RUN echo kept > /kept\nRUN cat /kept\n");
        UserKiln.chown(context);
        ExternalTool.Result built = kilnCommand("build", "--progress", "plain", context.toString());
        assertThat(built.exitCode()).as(built.toString()).isZero();
        assertThat(built.stdout() + built.stderr()).as(built.toString())
                .contains("root mount: ", "upperdir=", volatileOption).contains("\nkept\n");
    }

    @Test
    void run_echo_printsHelloAndExitsZero() throws Exception {
        ExternalTool.Result r = kiln("--rm", image, "echo", "hello");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("hello\n");
    }

    @Test
    void run_exitCode_propagates() throws Exception {
        assertThat(kiln("--rm", image, "sh", "-c", "exit 42").exitCode()).isEqualTo(42);
    }

    @Test
    void run_user_defaultsToRootAndTakesUid() throws Exception {
        assertThat(kiln("--rm", image, "id", "-u").stdout()).isEqualTo("0\n");
        assertThat(kiln("--rm", "-u", "1000", image, "id", "-u").stdout()).isEqualTo("1000\n");
        assertThat(kiln("--rm", "-u", "nobody", image, "id", "-u").stdout()).isEqualTo("65534\n");
    }

    @Test
    void run_envWorkdirEntrypoint_behaveAsDocker() throws Exception {
        ExternalTool.Result r = kiln("--rm", "-e", "A=1", "-w", "/tmp/wd", "--entrypoint", "sh", image,
                "-c", "echo $A; pwd");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("1\n/tmp/wd\n");
    }

    @Test
    void run_networkNone_hasOnlyLoopback() throws Exception {
        ExternalTool.Result r = kiln("--rm", "--network", "none", image, "sh", "-c",
                "ip -o link | cut -d: -f2 | tr -d ' '");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("lo\n");
    }

    @Test
    void run_rm_leavesLayersUnchangedAndFilesGone() throws Exception {
        kiln("--rm", image, "true");
        List<String> before = listing(root.resolve("store/layers"));
        ExternalTool.Result r = kiln("--rm", image, "sh", "-c", "echo x > /tmp/mine; rm -rf /bin/ls; ls /tmp");
        assertThat(r.stdout()).as(r.toString()).contains("mine");
        assertThat(kiln("--rm", image, "sh", "-c", "ls /tmp; test -e /bin/ls && echo ls-ok").stdout())
                .doesNotContain("mine").contains("ls-ok");
        assertThat(listing(root.resolve("store/layers"))).isEqualTo(before);
    }

    @Test
    void run_user_getsPrimaryAndListedGroupsAsDocker() throws Exception {
        assertThat(kiln("--rm", "-u", "nobody", image, "id").stdout())
                .isEqualTo("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
        assertThat(kiln("--rm", image, "id").stdout()).isEqualTo("uid=0(root) gid=0(root) groups=0(root)\n");
        assertThat(kiln("--rm", "-u", "1000:65534", image, "id").stdout())
                .isEqualTo("uid=1000 gid=65534(nogroup) groups=65534(nogroup)\n");
    }

    @Test
    void run_publishRemappedPort_forwardsUntilTheDetachedContainerStops() throws Exception {
        int host = freePort();
        int container = freePort();
        ExternalTool.Result started = kiln("-d", "--name", "forwarded", "-p", "127.0.0.1:" + host + ":" + container,
                image, "sh", "-c", "mkdir -p /w && echo forwarded > /w/index.html && exec httpd -f -p "
                        + container + " -h /w");
        assertThat(started.exitCode()).as(started.toString()).isZero();
        String body = pollHttp(host, "forwarded\n");
        assertThat(body).as(kilnCommand("logs", "forwarded").toString()).isEqualTo("forwarded\n");
        assertThat(kilnCommand("stop", "-t", "1", "forwarded").exitCode()).isZero();
        int refused = 1;
        for (int i = 0; i < 50 && refused != 7; i++) { // 7: curl could not connect
            refused = ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:" + host + "/").exitCode();
            Thread.sleep(refused == 7 ? 0 : 200);
        }
        assertThat(refused).as("the host port is closed once the container stopped").isEqualTo(7);
        kilnCommand("rm", "forwarded");
    }

    @Test
    void run_publishBadSpecs_areRefusedWithAdvice() throws Exception {
        ExternalTool.Result udp = kiln("--rm", "-p", "8080:5000/udp", image, "true");
        assertThat(udp.exitCode()).isEqualTo(1);
        assertThat(udp.stderr()).contains("-p 8080:5000/udp").contains("TCP only");
        ExternalTool.Result bad = kiln("--rm", "-p", "80800:5000", image, "true");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("'80800' is not a port");
        int taken = freePort();
        try (java.net.ServerSocket busy = new java.net.ServerSocket(taken)) {
            ExternalTool.Result inUse = kiln("--rm", "-p", taken + ":" + freePort(), image, "true");
            assertThat(inUse.exitCode()).as(inUse.toString()).isNotZero();
            assertThat(inUse.stderr()).contains("cannot publish port " + taken);
        }
    }

    /** GETs http://127.0.0.1:PORT/ until it answers {@code expected} (a container starting), at most 30 s. */
    private static String pollHttp(int port, String expected) throws Exception {
        String body = "";
        for (int i = 0; i < 150 && !body.equals(expected); i++) {
            Thread.sleep(200);
            body = ExternalTool.run("curl", "-s", "-m", "2", "http://127.0.0.1:" + port + "/").stdout();
        }
        return body;
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> listing(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        ExternalTool.Result r = ExternalTool.run("find", dir.toString(), "-printf", "%P %s %m %U\\n");
        r.assertSuccess();
        try (Stream<String> s = r.stdout().lines()) {
            s.sorted().forEach(out::add);
        }
        return out;
    }
}
