package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build --progress tty}: the live view, on a real pseudo-terminal and in-process. */
class BuildTtyTest {
    @TempDir Path tmp;

    private Path context(String dockerfile) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ctx;
    }

    @Test
    void build_progressTtyUnderAPseudoTerminal_drawsLiveFramesThenTheFinalViewThenTheResult() throws Exception {
        Optional<Path> script = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, "script")).filter(Files::isExecutable).findFirst();
        assumeTrue(script.isPresent(), "util-linux `script` is not on PATH: cannot run kiln under a pseudo-terminal");
        Path ctx = context("FROM scratch\nCOPY hello.txt /\nCMD [\"/hello\"]\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", quote(java), "-cp", quote(System.getProperty("java.class.path")),
                Main.class.getName(), "build", "--root", quote(tmp.resolve("store").toString()), "--progress", "tty",
                "-t", "tty-test", quote(ctx.toString()));
        ProcessBuilder pb = new ProcessBuilder(script.get().toString(), "-qfec", command, "/dev/null")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("TERM", "xterm");
        pb.environment().put("COLUMNS", "100");
        pb.environment().remove("NO_COLOR");
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String shown = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");

        assertThat(p.exitValue()).as(shown).isZero();
        assertThat(shown).as("erase-line and cursor-up escapes").contains("\u001B[2K").containsPattern("\u001B\\[\\d+A");
        assertThat(shown).as("the step running, painted blue").contains("\u001B[34m => [2/3] COPY hello.txt /");
        String last = shown.substring(shown.lastIndexOf("[+] Building"));
        assertThat(last).as(shown)
                .containsPattern("^\\[\\+\\] Building \\d+\\.\\ds \\(3/3\\) FINISHED\n")
                .containsPattern("\n\u001B\\[2K => \\[1/3\\] FROM scratch +\\d+\\.\\ds\n")
                .containsPattern("\n\u001B\\[2K => \\[2/3\\] COPY hello.txt / +\\d+\\.\\ds\n")
                .containsPattern("\n\u001B\\[2K => \\[3/3\\] CMD \\[\"/hello\"\\] +\\d+\\.\\ds\n")
                .containsPattern("\n(\u001B\\[J)?Successfully tagged tty-test:latest\nsha256:[0-9a-f]{64}\n$");
        assertThat(shown).as("plain mode's lines are not printed").doesNotContain("STEP 2/3");
    }

    @Test
    void build_progressTtyFails_showsTheErrorStepInTheFinalViewBeforeTheError() throws Exception {
        InProcessKiln.Run r = build("tty", context("FROM scratch\nCOPY missing.txt /\n"));

        assertThat(r.exit()).isEqualTo(1);
        String shown = r.err();
        String last = shown.substring(shown.lastIndexOf("[+] Building"));
        assertThat(last).as(shown).doesNotContain("FINISHED")
                .containsPattern(" => ERROR \\[2/2\\] COPY missing.txt / +\\d+\\.\\ds(\u001B\\[0m)?\n");
        assertThat(last.indexOf("ERROR [2/2]")).isLessThan(last.indexOf("Error: "));
        assertThat(last).contains("Dockerfile:2");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void build_progressPlain_printsNoEscapes() throws Exception {
        InProcessKiln.Run r = build("plain", context("FROM scratch\nCOPY hello.txt /\n"));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("STEP 1/2: FROM scratch\nSTEP 2/2: COPY hello.txt /\n--> ")
                .doesNotContain("\u001B");
        assertThat(r.err()).doesNotContain("\u001B");
    }

    /** {@code kiln build --progress PROGRESS CTX} in-process (stderr is no terminal here). */
    private InProcessKiln.Run build(String progress, Path ctx) {
        return InProcessKiln.run("build", "--root", tmp.resolve("store").toString(), "--progress", progress,
                ctx.toString());
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
