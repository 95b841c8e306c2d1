package dev.kiln.builder.engine.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildSecretsTest {
    @TempDir Path tmp;

    @Test
    void parseSecret_dockerForms() {
        assertThat(BuildSecrets.parseSecret("id=tok,src=/run/tok.txt"))
                .isEqualTo(new BuildSecrets.Source("tok", Path.of("/run/tok.txt"), null));
        assertThat(BuildSecrets.parseSecret("id=tok,source=/run/tok.txt").file()).isEqualTo(Path.of("/run/tok.txt"));
        assertThat(BuildSecrets.parseSecret("id=tok,env=TOKEN")).isEqualTo(new BuildSecrets.Source("tok", null, "TOKEN"));
        assertThat(BuildSecrets.parseSecret("type=env,id=TOKEN")).isEqualTo(new BuildSecrets.Source("TOKEN", null, "TOKEN"));
        assertThat(BuildSecrets.parseSecret("src=/etc/creds.txt").id()).isEqualTo("creds.txt");
    }

    @Test
    void parseSecret_badInput_saysWhat() {
        assertThatThrownBy(() -> BuildSecrets.parseSecret("tok")).isInstanceOf(KilnException.class)
                .hasMessageContaining("'tok' is not KEY=VALUE");
        assertThatThrownBy(() -> BuildSecrets.parseSecret("id=a,file=/x")).hasMessageContaining("unknown key 'file'");
        assertThatThrownBy(() -> BuildSecrets.parseSecret("id=a,src=/x,env=Y")).hasMessageContaining("not both");
        assertThatThrownBy(() -> BuildSecrets.parseSecret("id=a,type=vault")).hasMessageContaining("file or env");
    }

    @Test
    void parseSsh_defaultTakesSshAuthSock_keyFilesRefused() throws Exception {
        assertThat(BuildSecrets.parseSsh("default", Map.of("SSH_AUTH_SOCK", "/tmp/agent.sock")::get))
                .isEqualTo(Map.entry("default", Path.of("/tmp/agent.sock")));
        assertThat(BuildSecrets.parseSsh("gh=/tmp/gh.sock", k -> null).getValue()).isEqualTo(Path.of("/tmp/gh.sock"));
        assertThatThrownBy(() -> BuildSecrets.parseSsh("default", k -> null)).hasMessageContaining("SSH_AUTH_SOCK is not set");
        Path key = Files.writeString(tmp.resolve("id_ed25519"), "key");
        assertThatThrownBy(() -> BuildSecrets.parseSsh("default=" + key, k -> null))
                .hasMessageContaining("is a file, not an agent socket");
    }

    @Test
    void secret_readFromFileOrEnvironment_whenNeeded() throws Exception {
        Path file = Files.writeString(tmp.resolve("s"), "from-file");
        BuildSecrets s = new BuildSecrets(Map.of("f", new BuildSecrets.Source("f", file, null),
                "e", new BuildSecrets.Source("e", null, "VAR")), Map.of(), Map.of("VAR", "from-env")::get);
        assertThat(new String(s.secret("f").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("from-file");
        assertThat(new String(s.secret("e").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("from-env");
        assertThat(s.secret("missing")).isEmpty();
    }
}
