package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln build} with the default {@code --progress auto} on a pseudo-terminal (util-linux
 * {@code script}), as the unprivileged test user: the live view is chosen, survives the re-exec
 * into a user namespace, shows the base pull's blobs and a running RUN's last output lines, and
 * leaves the final view with every step before the result lines.
 */
class BuildTtyIT {
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("kiln-tty-it-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    @Test
    void build_autoOnATerminal_showsPullRunOutputAndTheFinalView() throws Exception {
        String registry = ItEnv.require("KILN_IT_REGISTRY");
        Path jar = ItEnv.jar();
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "util-linux `script` is not at /usr/bin/script: cannot make a pseudo-terminal");
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + registry + "/library/busybox:latest\n"
                + "RUN for i in 1 2 3 4 5 6 7 8; do echo line $i; sleep 0.4; done\n"
                + "CMD [\"sh\"]\n");
        List<String> kiln = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = ItEnv.require("KILN_IT_USER");
            ExternalTool.run("chown", "-R", user + ":", work.toString()).assertSuccess();
            kiln.addAll(List.of("runuser", "-u", user, "--"));
        }
        kiln.addAll(List.of("env", "HOME=" + work, "TERM=xterm", "COLUMNS=100", "java", "-jar", jar.toString(),
                "build", "--root", work.resolve("store").toString(), "--insecure-registry", registry,
                "-t", "tty-it", ctx.toString()));
        Process p = new ProcessBuilder(script.toString(), "-qfec", String.join(" ", kiln), "/dev/null")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String shown = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");

        assertThat(p.exitValue()).as(shown).isZero();
        assertThat(shown).as("auto chose the live view").contains("[+] Building").containsPattern("\u001B\\[\\d+A")
                .doesNotContain("STEP 1/3");
        assertThat(shown).as("the pull's blobs under FROM")
                .containsPattern(" => => sha256:[0-9a-f]{12} [0-9.]+[kM]?B / [0-9.]+[kM]?B +\\d+\\.\\ds");
        assertThat(shown).as("a running RUN's output under it").contains(" => => # line 1").contains(" => => # line 8");
        assertThat(maxTailLines(shown)).as("at most 6 output lines under the running step").isBetween(1, 6);
        String last = shown.substring(shown.lastIndexOf("[+] Building"));
        assertThat(last).as(shown)
                .containsPattern("^\\[\\+\\] Building \\d+\\.\\ds \\(3/3\\) FINISHED\n")
                .containsPattern(" => \\[1/3\\] FROM " + Pattern.quote(registry) + "/library/busybox:latest +\\d+\\.\\ds\n")
                .containsPattern(" => \\[2/3\\] RUN for i in .* +\\d+\\.\\ds\n")
                .containsPattern(" => \\[3/3\\] CMD \\[\"sh\"\\] +\\d+\\.\\ds\n")
                .doesNotContain("# line")
                // after the view (and its final erase-below, ESC [J, when it shrank): stdout's lines
                .containsPattern("\n(\u001B\\[J)?Successfully tagged tty-it:latest\nsha256:[0-9a-f]{64}\n$");
    }

    /** The most {@code => => #} lines any one frame showed in a row. */
    private static int maxTailLines(String shown) {
        int max = 0;
        Matcher m = Pattern.compile("(?:\u001B\\[2K => => # [^\n]*\n)+").matcher(shown);
        while (m.find()) {
            max = Math.max(max, (int) m.group().lines().count());
        }
        return max;
    }
}
