package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecSpecTest {
    private static final ExecSpec SPEC = ExecSpec.of(RootFs.directory(Path.of("/r")), List.of("sh"));

    @Test
    void effectiveEnv_withoutPathHostnameHome_addsDockerDefaults() {
        assertThat(SPEC.withHostname("box").effectiveEnv()).containsExactly(
                "PATH=" + ExecSpec.DEFAULT_PATH, "HOSTNAME=box", "HOME=/root");
    }

    @Test
    void effectiveEnv_nonRootUser_getsSlashAsHome() {
        assertThat(SPEC.withUser(User.of(1000, 1000)).effectiveEnv()).contains("HOME=/");
    }

    @Test
    void effectiveEnv_givenValues_areKept() {
        ExecSpec spec = SPEC.withEnv(List.of("PATH=/x", "HOME=/h", "A=1"));
        assertThat(spec.effectiveEnv()).containsExactly("PATH=/x", "HOME=/h", "A=1", "HOSTNAME=kiln");
    }

    @Test
    void envValue_repeatedKey_lastWins() {
        assertThat(SPEC.withEnv(List.of("A=1", "A=2")).envValue("A")).isEqualTo("2");
    }

    @Test
    void construct_relativeWorkDir_isRefusedQuotingIt() {
        assertThatThrownBy(() -> SPEC.withWorkDir("app"))
                .hasMessageContaining("'app'").hasMessageContaining("absolute");
    }

    @Test
    void construct_envEntryWithoutEquals_isRefused() {
        assertThatThrownBy(() -> SPEC.withEnv(List.of("NOVALUE")))
                .hasMessageContaining("'NOVALUE'");
    }

    @Test
    void construct_emptyArgv_isRefused() {
        assertThatThrownBy(() -> SPEC.withArgv(List.of())).hasMessageContaining("empty argv");
    }

    @Test
    void candidates_bareName_walksPathInOrder() {
        assertThat(ContainerSetup.candidates("sh", "/usr/bin:/bin/"))
                .containsExactly("/usr/bin/sh", "/bin/sh");
    }

    @Test
    void candidates_nameWithSlash_isUsedAsIs() {
        assertThat(ContainerSetup.candidates("./run.sh", "/bin")).containsExactly("./run.sh");
    }

    @Test
    void fromWaitStatus_normalExit_isTheExitCode() {
        ExecResult r = ExecResult.fromWaitStatus(42 << 8, 0);
        assertThat(r.exitCode()).isEqualTo(42);
        assertThat(r.signal()).isEmpty();
    }

    @Test
    void fromWaitStatus_killedBySignal_is128PlusSignal() {
        ExecResult r = ExecResult.fromWaitStatus(9, 2);
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.signal()).hasValue(9);
        assertThat(r.watchdogRetries()).isEqualTo(2);
    }
}
