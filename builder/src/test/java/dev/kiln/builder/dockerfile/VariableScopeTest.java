package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariableScopeTest {

    private static final Map<String, String> PLATFORM = Map.of("TARGETPLATFORM", "linux/amd64", "TARGETOS", "linux",
            "TARGETARCH", "amd64", "TARGETVARIANT", "", "BUILDPLATFORM", "linux/amd64", "BUILDOS", "linux",
            "BUILDARCH", "amd64", "BUILDVARIANT", "");

    private static List<Instruction> instructions(String text) {
        return Dockerfile.parse("Dockerfile", text).instructions();
    }

    /** Runs the ARG/ENV instructions of {@code text} (global ones, then the first stage's). */
    private static VariableScope run(String text, Map<String, String> buildArgs) {
        VariableScope global = VariableScope.global(buildArgs, PLATFORM, ShellLex.of('\\'));
        VariableScope scope = global;
        for (Instruction in : instructions(text)) {
            if (in instanceof FromInstruction) {
                scope = global.stage(Map.of("PATH", "/usr/bin"));
            } else if (in instanceof ArgInstruction a) {
                scope.declare(a);
            } else if (in instanceof EnvInstruction e) {
                scope.setEnv(e);
            }
        }
        return scope;
    }

    @Test
    void globalArg_isInvisibleInStageUntilRedeclared() {
        VariableScope s = run("ARG V=1\nFROM a\n", Map.of());
        assertThat(s.expansionEnv()).doesNotContainKey("V");
        VariableScope re = run("ARG V=1\nFROM a\nARG V\n", Map.of());
        assertThat(re.expansionEnv()).containsEntry("V", "1");
    }

    @Test
    void buildArg_overridesGlobalAndStageDefaults() {
        VariableScope s = run("ARG V=1\nFROM a\nARG V\nARG W=2\n", Map.of("V", "9", "W", "8"));
        assertThat(s.expansionEnv()).containsEntry("V", "9").containsEntry("W", "8");
        assertThat(s.consumedBuildArgs()).containsExactlyInAnyOrder("V", "W");
    }

    @Test
    void stageDefault_expandsEarlierArgsAndEnv() {
        VariableScope s = run("FROM a\nARG A=x\nENV E=${A}y\nARG B=${E}z\n", Map.of());
        assertThat(s.expansionEnv()).containsEntry("B", "xyz");
    }

    @Test
    void stageArgName_isExpandedAsBuildKitExpandsArgKeys() {
        VariableScope s = run("FROM a\nARG name=foo\nARG ${name}=default\nARG ${name}_x=${name}\n", Map.of());
        assertThat(s.expansionEnv()).containsEntry("foo", "default").containsEntry("foo_x", "foo")
                .doesNotContainKey("${name}");
        VariableScope cli = run("FROM a\nARG name=foo\nARG ${name}=default\n", Map.of("foo", "cli"));
        assertThat(cli.expansionEnv()).containsEntry("foo", "cli");
        assertThat(cli.consumedBuildArgs()).contains("foo");
    }

    @Test
    void globalArgName_isNotExpanded_valueIs() {
        VariableScope s = run("ARG name=foo\nARG ${name}=bar\nFROM a\nARG name\nARG ${name}\n", Map.of());
        // BuildKit expands the values of global ARGs only: the global ARG is named "${name}", not
        // "foo", so the stage's ARG ${name} (expanded to "foo") finds no global value
        assertThat(s.expansionEnv()).containsEntry("name", "foo").doesNotContainKey("foo");
    }

    @Test
    void stageArgName_expandingToNothing_isAnError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run("FROM a\nARG ${nothing}=x\n", Map.of()))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("ARG names can not be blank");
    }

    @Test
    void env_shadowsArgOfSameName() {
        VariableScope s = run("FROM a\nARG NAME=fromarg\nENV NAME=fromenv\n", Map.of("NAME", "cli"));
        assertThat(s.expansionEnv()).containsEntry("NAME", "fromenv");
        assertThat(s.historyArgs()).containsEntry("NAME", "fromenv");
        assertThat(s.runEnv()).containsEntry("NAME", "fromenv");
    }

    @Test
    void predefinedPlatformArgs_areGlobalAndNeedDeclarationInStage() {
        VariableScope global = VariableScope.global(Map.of(), PLATFORM, ShellLex.of('\\'));
        assertThat(global.expansionEnv()).containsEntry("TARGETARCH", "amd64");
        VariableScope s = run("FROM a\nARG TARGETPLATFORM\n", Map.of());
        assertThat(s.expansionEnv()).containsEntry("TARGETPLATFORM", "linux/amd64").doesNotContainKey("TARGETARCH");
    }

    @Test
    void proxyArgs_reachRunWithoutDeclarationAndNeverEnterHistory() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("HTTP_PROXY", "http://p:3128");
        args.put("no_proxy", "localhost");
        VariableScope s = run("FROM a\nARG OTHER=1\nARG no_proxy\n", args);
        assertThat(s.runEnv()).containsEntry("HTTP_PROXY", "http://p:3128").containsEntry("no_proxy", "localhost");
        assertThat(s.historyArgs()).containsExactly(Map.entry("OTHER", "1"));
        assertThat(run("FROM a\n", args).historyArgs()).isEmpty();
    }

    @Test
    void historyArgs_followBuildkit_envShadowsAndUnsetIsEmpty() {
        VariableScope s = run("FROM a\nARG A=1\nARG B\nENV A=fromenv\n", Map.of());
        assertThat(s.historyArgs()).containsExactly(Map.entry("A", "fromenv"), Map.entry("B", ""));
    }

    @Test
    void argWithoutValue_isDeclaredButUnset() {
        VariableScope s = run("FROM a\nARG NOVALUE\n", Map.of());
        assertThat(s.args()).containsEntry("NOVALUE", null);
        assertThat(s.expansionEnv()).doesNotContainKey("NOVALUE");
        assertThat(s.expander().word("[${NOVALUE:-dflt}]")).isEqualTo("[dflt]");
    }

    @Test
    void baseEnv_isVisibleAndExpandable() {
        VariableScope s = run("FROM a\nENV PATH=/opt/bin:$PATH\n", Map.of());
        assertThat(s.env()).containsEntry("PATH", "/opt/bin:/usr/bin");
    }
}
