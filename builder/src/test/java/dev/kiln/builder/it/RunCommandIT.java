package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln run} as an unprivileged user (KILN_IT_USER, with subuids), as a separate process
 * ({@code runuser -u USER -- java -jar KILN_IT_JAR run …}), against the busybox fixture image.
 */
class RunCommandIT {
    private static String user;
    private static String image;
    private static Path jar;
    private static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        user = ItEnv.require("KILN_IT_USER");
        image = ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest";
        jar = ItEnv.jar();
        root = Files.createTempDirectory(Path.of("/tmp"), "kiln-run-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        ExternalTool.run("chown", user + ":", root.toString()).assertSuccess();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (root != null) {
            ExternalTool.run("rm", "-rf", root.toString());
        }
    }

    private static ExternalTool.Result kiln(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "run", "--root", root.resolve("store").toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
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
    void run_publishRemappedPort_isRefusedWithAdvice() throws Exception {
        ExternalTool.Result r = kiln("--rm", "-p", "8080:5000", image, "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("-p 8080:5000").contains("-p 5000:5000");
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
