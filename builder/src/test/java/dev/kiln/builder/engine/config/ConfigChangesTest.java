package dev.kiln.builder.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.Healthcheck;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Platform;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each metadata instruction's effect on the config and its history text, as BuildKit writes them. */
class ConfigChangesTest {
    private static final ImageConfig BASE = ImageConfig.empty(Platform.of("linux", "amd64", null))
            .withConfig(ContainerConfig.EMPTY.withCmd(List.of("sh")).withEnvVar("PATH", "/bin"));

    private static Instruction parse(String line) {
        Dockerfile df = Dockerfile.parse("Dockerfile", line + "\n");
        return df.instructions().get(0).expand(df.lexer().expander(Map.of("V", "value", "P", "8080")));
    }

    private static ConfigChange change(String line) {
        return ConfigChanges.of(parse(line), false).orElseThrow();
    }

    @Test
    void env_setsInPlaceAndAppends_historyIsKeyValueList() {
        ConfigChange c = change("ENV PATH=/usr/bin:$V NEW=\"a b\"");
        ImageConfig after = c.apply(BASE);
        assertThat(after.config().env()).containsExactly("PATH=/usr/bin:value", "NEW=a b");
        assertThat(c.createdBy(BASE)).isEqualTo("ENV PATH=/usr/bin:value NEW=a b");
    }

    @Test
    void label_mergesLabels_historyIsKeyValueList() {
        ConfigChange c = change("LABEL a=1 \"b c\"=$V");
        assertThat(c.apply(BASE).config().labels()).containsEntry("a", "1").containsEntry("b c", "value");
        assertThat(c.createdBy(BASE)).isEqualTo("LABEL a=1 b c=value");
    }

    @Test
    void expose_addsPortKeys_historyIsGoMap() {
        ConfigChange c = change("EXPOSE 5000 $P/udp");
        assertThat(c.apply(BASE).config().exposedPorts()).containsExactly("5000/tcp", "8080/udp");
        assertThat(c.createdBy(BASE)).isEqualTo("EXPOSE map[5000/tcp:{} 8080/udp:{}]");
    }

    @Test
    void volume_addsMountPoints_historyIsGoSlice() {
        ConfigChange c = change("VOLUME [\"/data\", \"/cache\"]");
        assertThat(c.apply(BASE).config().volumes()).containsExactly("/cache", "/data");
        assertThat(c.createdBy(BASE)).isEqualTo("VOLUME [/data /cache]");
    }

    @Test
    void user_setsUserAsWritten() {
        ConfigChange c = change("USER app:$V");
        assertThat(c.apply(BASE).config().user()).isEqualTo("app:value");
        assertThat(c.createdBy(BASE)).isEqualTo("USER app:value");
    }

    @Test
    void workdir_relativeJoinsCurrentAndCleans() {
        ImageConfig inApp = change("WORKDIR /app").apply(BASE);
        ConfigChange c = change("WORKDIR sub/../src/./x");
        assertThat(c.apply(inApp).config().workingDir()).isEqualTo("/app/src/x");
        assertThat(c.createdBy(inApp)).isEqualTo("WORKDIR /app/src/x");
    }

    @Test
    void cmd_execForm_historyIsGoQuotedSlice_andArgsEscaped() {
        ConfigChange c = change("CMD [\"python\", \"app.py\"]");
        ImageConfig after = c.apply(BASE);
        assertThat(after.config().cmd()).containsExactly("python", "app.py");
        assertThat(after.config().argsEscaped()).isTrue();
        assertThat(c.createdBy(BASE)).isEqualTo("CMD [\"python\" \"app.py\"]");
    }

    @Test
    void cmd_shellForm_usesShellInstruction() {
        ImageConfig bash = change("SHELL [\"/bin/bash\", \"-c\"]").apply(BASE);
        ConfigChange c = change("CMD echo \"hi\"");
        assertThat(c.apply(bash).config().cmd()).containsExactly("/bin/bash", "-c", "echo \"hi\"");
        assertThat(c.createdBy(BASE)).isEqualTo("CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]");
    }

    @Test
    void entrypoint_resetsInheritedCmd_unlessCmdSetInStage() {
        Instruction ep = parse("ENTRYPOINT [\"/run.sh\"]");
        ImageConfig reset = ConfigChanges.of(ep, false).orElseThrow().apply(BASE);
        assertThat(reset.config().entrypoint()).containsExactly("/run.sh");
        assertThat(reset.config().cmd()).isEmpty();
        ImageConfig kept = ConfigChanges.of(ep, true).orElseThrow().apply(BASE);
        assertThat(kept.config().cmd()).containsExactly("sh");
        assertThat(ConfigChanges.of(ep, false).orElseThrow().createdBy(BASE)).isEqualTo("ENTRYPOINT [\"/run.sh\"]");
    }

    @Test
    void stopsignal_setsSignal() {
        ConfigChange c = change("STOPSIGNAL SIGKILL");
        assertThat(c.apply(BASE).config().stopSignal()).isEqualTo("SIGKILL");
        assertThat(c.createdBy(BASE)).isEqualTo("STOPSIGNAL SIGKILL");
    }

    @Test
    void healthcheck_shellForm_isCmdShell_historyIsGoStruct() {
        ConfigChange c = change("HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://localhost/");
        Healthcheck h = c.apply(BASE).config().healthcheck();
        assertThat(h.test()).containsExactly("CMD-SHELL", "curl -f http://localhost/");
        assertThat(h.interval()).isEqualTo(300_000_000_000L);
        assertThat(h.timeout()).isEqualTo(3_000_000_000L);
        assertThat(h.retries()).isEqualTo(3);
        assertThat(c.createdBy(BASE)).isEqualTo(
                "HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://localhost/\"] \"5m0s\" \"3s\" \"0s\" \"0s\" '\\x03'}");
    }

    @Test
    void healthcheck_none_disables() {
        assertThat(change("HEALTHCHECK NONE").apply(BASE).config().healthcheck().test()).containsExactly("NONE");
    }

    @Test
    void shell_setsShell_historyIsGoSlice() {
        ConfigChange c = change("SHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]");
        assertThat(c.apply(BASE).config().shell()).containsExactly("/bin/bash", "-euo", "pipefail", "-c");
        assertThat(c.createdBy(BASE)).isEqualTo("SHELL [/bin/bash -euo pipefail -c]");
    }

    @Test
    void onbuild_appendsTriggerAsWritten_noHistory() {
        ConfigChange c = change("ONBUILD RUN echo $V");
        assertThat(c.apply(BASE).config().onBuild()).containsExactly("RUN echo $V");
        assertThat(c.createdBy(BASE)).isNull();
    }

    @Test
    void maintainer_setsAuthor() {
        ConfigChange c = change("MAINTAINER Jane <jane@example.com>");
        assertThat(c.apply(BASE).author()).isEqualTo("Jane <jane@example.com>");
        assertThat(c.createdBy(BASE)).isEqualTo("MAINTAINER Jane <jane@example.com>");
    }

    @Test
    void arg_changesNothing_historyListsValues() {
        ConfigChange c = change("ARG A=1 B");
        assertThat(c.apply(BASE)).isEqualTo(BASE);
        assertThat(c.createdBy(BASE)).isEqualTo("ARG A=1 B");
    }

    @Test
    void fileInstructions_haveNoConfigChange() {
        assertThat(ConfigChanges.of(parse("RUN true"), false)).isEmpty();
        assertThat(ConfigChanges.of(parse("COPY a b"), false)).isEmpty();
    }
}
