package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckCommandTest {

    @TempDir Path ctx;

    private record Run(int code, String out, String err) {}

    private Run kiln(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private void dockerfile(String text) throws IOException {
        Files.writeString(ctx.resolve("Dockerfile"), text);
    }

    @Test
    void check_validDockerfile_exitsZeroAndSaysOk() throws IOException {
        dockerfile("FROM busybox\nRUN echo hi\n");
        Run r = kiln("check", ctx.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("Dockerfile: ok (0 warnings)\n");
    }

    @Test
    void check_misspelledInstruction_printsFileLineColumnErrorAndExitsOne() throws IOException {
        dockerfile("FROM busybox\n\nCOPPY . /app\n");
        Run r = kiln("check", ctx.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("Dockerfile:3:1: error: unknown instruction `COPPY` — did you mean `COPY`?\n");
    }

    @Test
    void check_warnings_printedWithLocationAndStillExitZero() throws IOException {
        dockerfile("FROM busybox\nMAINTAINER me\nCMD a\nCMD b\n");
        Run r = kiln("check", "--build-arg", "NOPE=1", ctx.toString());
        assertThat(r.code()).isZero();
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
        Run r = kiln("check", "-f", df.toString(), "--print=outline", ctx.toString());
        assertThat(r.code()).isZero();
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
        Run bad = kiln("check", "--format", "json", ctx.toString());
        assertThat(bad.code()).isEqualTo(1);
        JsonNode j = new ObjectMapper().readTree(bad.out());
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(j.get("errors").get(0).get("message").asText()).contains("circular dependency");

        dockerfile("FROM busybox\nRUN true\n");
        Run good = kiln("check", "--format=json", "--print=outline", ctx.toString());
        JsonNode g = new ObjectMapper().readTree(good.out());
        assertThat(good.code()).isZero();
        assertThat(g.get("ok").asBoolean()).isTrue();
        assertThat(g.get("outline").get("stages").get(0).get("base").asText()).isEqualTo("busybox");
        assertThat(g.get("outline").get("stages").get(0).get("steps").get(0).get("instruction").asText())
                .isEqualTo("RUN");
    }

    @Test
    void check_unknownTarget_andMissingFile_andBadIgnoreFile_areErrors() throws IOException {
        dockerfile("FROM busybox AS base\n");
        Run r = kiln("check", "--target", "bse", ctx.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("Dockerfile: error: target stage `bse` could not be found", "hint: did you mean `base`?");

        Run missing = kiln("check", ctx.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).contains("error: cannot read Dockerfile");

        Files.writeString(ctx.resolve(".dockerignore"), "ok\n[z-a]\n");
        Run ignore = kiln("check", ctx.toString());
        assertThat(ignore.code()).isEqualTo(1);
        assertThat(ignore.out()).contains(".dockerignore:2:1: error: bad .dockerignore pattern `[z-a]`");
    }

    @Test
    void check_help_describesTheCommand() {
        Run r = kiln("check", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: kiln check", "--print=WHAT", "--build-arg=K=V");
        assertThat(kiln("--help").out()).contains("check");
    }
}
