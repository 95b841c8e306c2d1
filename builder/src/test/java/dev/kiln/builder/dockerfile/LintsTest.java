package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LintsTest {

    private static List<String> warnings(String text) {
        return Dockerfile.parse("Dockerfile", text).warnings().stream().map(DockerfileWarning::render).toList();
    }

    @Test
    void cleanDockerfile_hasNoWarnings() {
        assertThat(warnings("ARG BASE=alpine\nFROM ${BASE} AS build\nWORKDIR /src\nENV A=1\nCMD [\"x\"]\n")).isEmpty();
    }

    @Test
    void casing_stageNameAndAsKeywordAndMixedKeywords_areWarned() {
        assertThat(warnings("FROM alpine as Build\nrun true\n")).containsExactly(
                "Dockerfile:1:1: warning: 'as' and 'FROM' keywords' casing do not match",
                "Dockerfile:1:1: warning: stage name 'Build' should be lower case",
                "warning: instruction keywords mix upper and lower case; use one casing (upper case is usual)");
    }

    @Test
    void shellFormCmdEntrypoint_legacyEnvLabel_relativeWorkdir_areWarned() {
        assertThat(warnings("FROM a\nENV K v\nLABEL k v\nWORKDIR app\nWORKDIR /abs\nWORKDIR rel\n"
                + "ENTRYPOINT run me\nCMD run --help\n")).containsExactly(
                "Dockerfile:2:1: warning: legacy \"ENV key value\" form: write \"ENV K=...\" instead",
                "Dockerfile:3:1: warning: legacy \"LABEL key value\" form: write \"LABEL k=...\" instead",
                "Dockerfile:4:1: warning: relative WORKDIR `app` depends on the base image's working directory; "
                        + "use an absolute path",
                "Dockerfile:7:1: warning: JSON arguments recommended for ENTRYPOINT so that signals reach the "
                        + "process (ENTRYPOINT [\"executable\", \"arg\"])",
                "Dockerfile:8:1: warning: JSON arguments recommended for CMD so that signals reach the process "
                        + "(CMD [\"executable\", \"arg\"])");
    }

    @Test
    void undeclaredVariableInFrom_reservedStageName_andSecretNames_areWarned() {
        assertThat(warnings("FROM ${IMG:-alpine} AS scratch\nARG DB_PASSWORD\nENV GITHUB_TOKEN=x\n")).containsExactly(
                "Dockerfile:1:1: warning: stage name 'scratch' is reserved",
                "Dockerfile:1:1: warning: FROM uses $IMG, which no ARG before the first FROM declares",
                "Dockerfile:2:1: warning: ARG `DB_PASSWORD` looks like a secret: ARG and ENV values are kept in the "
                        + "image; use RUN --mount=type=secret",
                "Dockerfile:3:1: warning: ENV `GITHUB_TOKEN` looks like a secret: ARG and ENV values are kept in the "
                        + "image; use RUN --mount=type=secret");
        assertThat(warnings("FROM --platform=$BUILDPLATFORM a\n")).isEmpty();
    }
}
