package dev.kiln.builder.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileException;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static final PlanOptions AMD64 = new PlanOptions(Map.of(), null, "linux/amd64", "linux/arm64/v8");

    private static BuildPlan plan(String text, PlanOptions opts) {
        return Planner.plan(Dockerfile.parse("Dockerfile", text), opts);
    }

    private static final String MULTI = """
            FROM golang:1.22 AS build
            RUN go build -o /app
            FROM build AS test
            RUN go test ./...
            FROM alpine AS docs
            RUN make docs
            FROM gcr.io/distroless/static AS prod
            COPY --from=build /app /app
            COPY --from=docs /site /site
            """;

    @Test
    void plan_withoutTarget_buildsLastStageAndWhatItNeeds_inDependencyOrder() {
        BuildPlan p = plan(MULTI, AMD64);
        assertThat(p.stages()).extracting(Stage::label).containsExactly("build", "docs", "prod");
        assertThat(p.target().dependsOn()).containsExactly(0, 2);
        assertThat(p.target().base()).isEqualTo(new BaseRef.Image("gcr.io/distroless/static"));
    }

    @Test
    void plan_target_prunesStagesTheTargetDoesNotNeed() {
        BuildPlan p = plan(MULTI, AMD64.withTarget("TEST"));
        assertThat(p.stages()).extracting(Stage::label).containsExactly("build", "test");
        assertThat(p.target().base()).isEqualTo(new BaseRef.StageRef(0, "build"));
    }

    @Test
    void plan_unknownTarget_failsWithSuggestion() {
        assertThatThrownBy(() -> plan(MULTI, AMD64.withTarget("prd")))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("target stage `prd` could not be found")
                .satisfies(e -> assertThat(((DockerfileException) e).hint()).contains("did you mean `prod`?"));
    }

    @Test
    void plan_copyFromItself_isACycle() {
        assertThatThrownBy(() -> plan("FROM busybox AS stage0\nCOPY --from=stage0 f1 /sub/\n", AMD64))
                .isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:2:1: circular dependency detected on stage `stage0`");
    }

    @Test
    void plan_cycleAcrossThreeStages_isReported() {
        String df = """
                FROM busybox AS stage0
                COPY --from=stage2 f1 /sub/
                FROM busybox AS stage1
                COPY --from=stage0 f2 /sub/
                FROM busybox AS stage2
                COPY --from=stage1 f2 /sub/
                """;
        assertThatThrownBy(() -> plan(df, AMD64)).hasMessageContaining("circular dependency detected on stage");
    }

    @Test
    void plan_copyFromIndexAndImage_resolveToStageOrImage() {
        BuildPlan p = plan("FROM a\nRUN x\nFROM b\nCOPY --from=0 /x /x\nCOPY --from=nginx:1 /etc/nginx /n\n", AMD64);
        assertThat(p.target().dependsOn()).containsExactly(0);
        assertThat(p.target().copiedImages()).containsExactly("nginx:1");
        assertThatThrownBy(() -> plan("FROM a\nCOPY --from=3 /x /x\n", AMD64)).hasMessageContaining("invalid stage index 3");
    }

    @Test
    void plan_runMountFrom_isADependency() {
        BuildPlan p = plan("FROM a AS deps\nFROM b\nRUN --mount=from=deps,target=/d ls /d\n", AMD64);
        assertThat(p.stages()).extracting(Stage::label).containsExactly("deps", "#1");
    }

    @Test
    void plan_baseNames_resolveScratchStagesAndImagesAfterArgExpansion() {
        String df = """
                ARG BASE=alpine
                ARG TAG
                FROM scratch AS empty
                FROM ${BASE}:${TAG:-3.19} AS img
                FROM empty
                """;
        BuildPlan p = plan(df, AMD64.withTarget("img"));
        assertThat(p.target().base()).isEqualTo(new BaseRef.Image("alpine:3.19"));
        BuildPlan last = plan(df, AMD64.withBuildArgs(Map.of("TAG", "edge")));
        assertThat(last.stages()).extracting(s -> s.base().describe()).containsExactly("scratch", "stage empty");
        assertThat(plan(df, AMD64.withTarget("img").withBuildArgs(Map.of("TAG", "edge"))).target().base())
                .isEqualTo(new BaseRef.Image("alpine:edge"));
    }

    @Test
    void plan_stageNamedLikeItsBase_usesTheImage() {
        BuildPlan p = plan("FROM alpine AS alpine\nRUN x\n", AMD64);
        assertThat(p.target().base()).isEqualTo(new BaseRef.Image("alpine"));
    }

    @Test
    void plan_baseOnAnUppercaseHost_isAnImage() {
        // docker takes a first component with an upper-case letter for a registry host
        BuildPlan p = plan("FROM Registry/app:1\n", AMD64);
        assertThat(p.target().base()).isEqualTo(new BaseRef.Image("Registry/app:1"));
    }

    @Test
    void plan_badBases_failWithLocation() {
        assertThatThrownBy(() -> plan("ARG X\nFROM $X\n", AMD64)).hasMessageStartingWith("Dockerfile:2:1: base name ($X) should not be blank");
        assertThatThrownBy(() -> plan("FROM Alpine\n", AMD64)).hasMessageContaining("must be lowercase");
        assertThatThrownBy(() -> plan("FROM " + "a1".repeat(32) + "\n", AMD64)).hasMessageContaining("image ID");
        assertThatThrownBy(() -> plan("FROM busybox@sha256:abc\n", AMD64)).hasMessageContaining("digest");
        assertThatThrownBy(() -> plan("FROM ${X\n", AMD64)).hasMessageStartingWith("Dockerfile:1:1: syntax error");
        assertThatThrownBy(() -> plan("FROM a AS x\nFROM b AS X\n", AMD64)).hasMessageContaining("duplicate stage name `x`");
        assertThatThrownBy(() -> plan("RUN x\nFROM a\n", AMD64)).hasMessageContaining("RUN before the first FROM");
    }

    @Test
    void plan_platformFlag_expandsPredefinedArgs() {
        BuildPlan p = plan("FROM --platform=$BUILDPLATFORM golang AS b\nFROM --platform=$TARGETOS/$TARGETARCH alpine\n"
                + "COPY --from=b /x /x\n", AMD64);
        assertThat(p.stages()).extracting(Stage::platform).containsExactly("linux/arm64/v8", "linux/amd64");
    }

    @Test
    void plan_unusedBuildArg_isWarnedButDeclaredAndProxyArgsAreNot() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("USED", "1");
        args.put("UNUSED", "2");
        args.put("HTTP_PROXY", "http://proxy");
        args.put("ONLY_IN_OTHER_STAGE", "3");
        String df = "FROM a AS other\nARG ONLY_IN_OTHER_STAGE\nFROM b\nARG USED\n";
        BuildPlan p = plan(df, AMD64.withBuildArgs(args));
        assertThat(p.warnings()).extracting(DockerfileWarning::message)
                .containsExactly("build-args [ONLY_IN_OTHER_STAGE, UNUSED] were not consumed by any ARG of the stages built");
        assertThat(p.target().argsInScope()).containsExactly(Map.entry("USED", "1"));
    }

    @Test
    void plan_multipleCmd_isWarned() {
        BuildPlan p = plan("FROM a\nCMD x\nCMD y\n", AMD64);
        assertThat(p.warnings()).anySatisfy(w -> assertThat(w.render())
                .isEqualTo("Dockerfile:3:1: warning: multiple CMD instructions in stage #0: only the last one takes effect"));
    }

    @Test
    void plan_childStage_inheritsEnvOfParentStageForExpansion() {
        BuildPlan p = plan("FROM a AS base\nENV APP=web\nFROM base AS final\nCOPY --from=$APP x y\n"
                + "FROM busybox AS web\n", AMD64.withTarget("final"));
        assertThat(p.stages()).extracting(Stage::label).containsExactly("base", "web", "final");
        assertThat(p.target().dependsOn()).containsExactly(0, 2);
    }

    @Test
    void newStageScope_replaysGlobalArgsForTheEngine() {
        BuildPlan p = plan("ARG V=1\nFROM a\nARG V\nARG TARGETARCH\nRUN echo $V\n",
                AMD64.withBuildArgs(Map.of("V", "2")));
        dev.kiln.builder.dockerfile.VariableScope scope = p.newStageScope(Map.of("HOME", "/root"));
        p.target().instructions().forEach(in -> {
            if (in instanceof dev.kiln.builder.dockerfile.ArgInstruction a) {
                scope.declare(a);
            }
        });
        assertThat(scope.runEnv()).containsEntry("V", "2").containsEntry("TARGETARCH", "amd64")
                .containsEntry("HOME", "/root");
    }
}
