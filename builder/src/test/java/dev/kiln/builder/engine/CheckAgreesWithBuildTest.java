package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.cli.Main;
import dev.kiln.oci.KilnException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code kiln check} and the build path (planner and engine) run the same validation: each
 * Dockerfile of the table is accepted by both or refused by both, with the same message. (Check
 * accepted {@code COPY --chmod=999}, which build refused at the step.)
 */
class CheckAgreesWithBuildTest {
    @TempDir Path tmp;

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("FROM base\nCOPY --chmod=999 a /a\n", "invalid chmod parameter: '999'"),
                Arguments.of("FROM base\nCOPY --chmod=u+x a /a\n", "invalid chmod parameter: 'u+x'"),
                Arguments.of("FROM base\nADD --chmod=77777 a /a\n", "invalid chmod parameter: '77777'"),
                Arguments.of("FROM base\nARG M=888\nCOPY --chmod=$M a /a\n", "invalid chmod parameter: '888'"),
                Arguments.of("FROM base\nCOPY http://127.0.0.1:9/x /x\n", "source can't be a URL for COPY"),
                Arguments.of("FROM base\nADD --checksum=sha256:0000 a /a\n",
                        "checksum can't be specified for non-HTTP(S) sources"),
                Arguments.of("FROM base\nRUN --mount=type=tmpfs,target=/ echo x\n", "invalid mount target \"/\""),
                Arguments.of("FROM base\nARG T=/x/..\nRUN --mount=type=tmpfs,target=$T echo x\n",
                        "invalid mount target \"/\""),
                Arguments.of("FROM base\nVOLUME /ok $UNSET\n", "VOLUME specified can not be an empty string"),
                Arguments.of("FROM base\nCOPY a\n", "COPY requires at least two arguments"),
                // accepted by both
                Arguments.of("FROM base\nCOPY --chmod=0755 a /a\nCOPY --chmod=4755 a /b\n", null),
                Arguments.of("FROM base\nARG M=640\nCOPY --chmod=${M} a /a\nRUN echo ok\n", null),
                Arguments.of("FROM base AS unused\nCOPY --chmod=999 a /a\nFROM base\nRUN echo ok\n", null));
    }

    @ParameterizedTest
    @MethodSource("table")
    void checkAndBuild_acceptAndRefuseAlike(String dockerfile, String refusal) throws Exception {
        EngineFixture f = new EngineFixture(tmp);
        Files.writeString(f.context.resolve("a"), "a\n");
        Files.writeString(f.context.resolve("Dockerfile"), dockerfile);
        StringWriter out = new StringWriter();
        CommandLine check = Main.commandLine();
        check.setOut(new PrintWriter(out, true));
        check.setErr(new PrintWriter(out, true));
        int checkExit = check.execute("check", "-f", f.context.resolve("Dockerfile").toString(), f.context.toString());
        String buildError = null;
        try {
            f.build(dockerfile);
        } catch (KilnException e) {
            buildError = e.getMessage();
        }
        if (refusal == null) {
            assertThat(checkExit).as("check output: " + out).isZero();
            assertThat(buildError).isNull();
        } else {
            assertThat(checkExit).as("check output: " + out).isNotZero();
            assertThat(out.toString()).contains(refusal);
            assertThat(buildError).as("build of\n" + dockerfile).isNotNull().contains(refusal);
        }
    }
}
