package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir Path ctx;

    private InProcessKiln.Run kiln(String... args) {
        return InProcessKiln.run(args);
    }

    private void dockerfile(String text) throws IOException {
        Files.writeString(ctx.resolve("Dockerfile"), text);
    }

    @Test
    void check_validDockerfile_exitsZeroAndSaysOk() throws IOException {
        dockerfile("FROM busybox\nRUN echo hi\n");
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("Dockerfile: ok (0 warnings)\n");
    }

    @Test
    void check_misspelledInstruction_printsFileLineColumnErrorAndExitsOne() throws IOException {
        dockerfile("FROM busybox\n\nCOPPY . /app\n");
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("Dockerfile:3:1: error: unknown instruction `COPPY` — did you mean `COPY`?\n");
    }

    @Test
    void check_warnings_printedWithLocationAndStillExitZero() throws IOException {
        dockerfile("FROM busybox\nMAINTAINER me\nCMD a\nCMD b\n");
        InProcessKiln.Run r = kiln("check", "--build-arg", "NOPE=1", ctx.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Dockerfile:2:1: warning: MAINTAINER is deprecated",
                "Dockerfile:4:1: warning: multiple CMD instructions",
                "Dockerfile: warning: build-arg [NOPE] was not consumed",
                "Dockerfile:3:1: warning: JSON arguments recommended for CMD",
                "Dockerfile: ok (5 warnings)");
    }

    @Test
    void check_outline_listsStagesBasesArgsAndSteps() throws IOException {
        Path df = ctx.resolve("build.Dockerfile");
        Files.writeString(df, """
                ARG VERSION=1.22
                FROM golang:${VERSION} AS build
                ARG VERSION
                RUN go build -o /app
                FROM alpine AS unused
                FROM gcr.io/distroless/static
                COPY --from=build /app /app
                """);
        InProcessKiln.Run r = kiln("check", "-f", df.toString(), "--print=outline", ctx.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("target: #2 (2 of 3 stages needed)",
                "platform: linux/",
                "global args: VERSION=1.22\n",
                "stage build: FROM golang:1.22  [" + df + ":2:1]",
                "  args: VERSION=1.22",
                "  4: RUN go build -o /app",
                "stage #2: FROM gcr.io/distroless/static",
                "  needs: [build]",
                "  7: COPY --from=build /app /app");
        assertThat(r.out()).doesNotContain("stage unused");
    }

    @Test
    void check_json_reportsErrorsWarningsAndOutlineForTools() throws IOException {
        dockerfile("FROM busybox AS a\nCOPY --from=a x y\n");
        InProcessKiln.Run bad = kiln("check", "--format", "json", ctx.toString());
        assertThat(bad.exit()).isEqualTo(1);
        JsonNode j = new ObjectMapper().readTree(bad.out());
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(j.get("errors").get(0).get("message").asText()).contains("circular dependency");

        dockerfile("FROM busybox\nRUN true\n");
        InProcessKiln.Run good = kiln("check", "--format=json", "--print=outline", ctx.toString());
        JsonNode g = new ObjectMapper().readTree(good.out());
        assertThat(good.exit()).isZero();
        assertThat(g.get("ok").asBoolean()).isTrue();
        assertThat(g.get("outline").get("stages").get(0).get("base").asText()).isEqualTo("busybox");
        assertThat(g.get("outline").get("stages").get(0).get("steps").get(0).get("instruction").asText())
                .isEqualTo("RUN");
    }

    @Test
    void check_unknownTarget_andMissingFile_andBadIgnoreFile_areErrors() throws IOException {
        dockerfile("FROM busybox AS base\n");
        InProcessKiln.Run r = kiln("check", "--target", "bse", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("Dockerfile: error: target stage `bse` could not be found", "hint: did you mean `base`?");

        InProcessKiln.Run missing = kiln("check", ctx.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("error: cannot read Dockerfile");

        Files.writeString(ctx.resolve(".dockerignore"), "ok\n[z-a]\n");
        InProcessKiln.Run ignore = kiln("check", ctx.toString());
        assertThat(ignore.exit()).isEqualTo(1);
        assertThat(ignore.out()).contains(".dockerignore:2:1: error: bad .dockerignore pattern `[z-a]`");
    }

    @Test
    void check_help_describesTheCommand() {
        InProcessKiln.Run r = kiln("check", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: kiln check", "--print=WHAT", "--build-arg=K=V");
        assertThat(kiln("--help").out()).contains("check");
    }

    // Issue 11, finding 8: hostile Dockerfile bytes give one clear error, no stack trace, no OOM.

    @Test
    void inputLimits_notUtf8_namesTheLine() throws IOException {
        Files.write(ctx.resolve("Dockerfile"), new byte[] {'F', 'R', 'O', 'M', ' ', 'a', '\n', 'R', 'U', 'N', ' ',
            (byte) 0xff, (byte) 0xfe, '\n'});
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("Dockerfile:2: not valid UTF-8").doesNotContain("Exception");
    }

    @Test
    void inputLimits_utf8WithBom_isAccepted() throws IOException {
        Files.write(ctx.resolve("Dockerfile"), ("\uFEFFFROM busybox\nRUN echo h\u00e9\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
    }

    @Test
    void inputLimits_fiftyMegabyteOneWordDockerfile_failsFastAndClearly() throws IOException {
        byte[] word = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(word, (byte) 'A');
        Files.write(ctx.resolve("Dockerfile"), word);
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("Dockerfile: more than 8 MiB").doesNotContain("Exception", "\tat ");
    }

    @Test
    void inputLimits_lineLongerThanBuildKitAccepts_namesTheLine() throws IOException {
        dockerfile("FROM busybox\nLABEL a=" + "x".repeat(70_000) + "\n");
        InProcessKiln.Run r = kiln("check", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("Dockerfile:2: line longer than 65535 bytes");
    }
}
