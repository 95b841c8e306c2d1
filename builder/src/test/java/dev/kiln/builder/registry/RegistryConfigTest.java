package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {
    @TempDir Path dir;

    @Test
    void load_flagsAndFile_mirrorsComeFirstThenTheRegistry() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"registry-mirrors\":{\"docker.io\":[\"mirror.example:5000\"]},"
                + "\"insecure-registries\":[\"build.example:5000\"]}");
        RegistryConfig c = RegistryConfig.load(file, List.of("docker.io=http://127.0.0.1:5100/"), List.of());
        assertThat(c.endpoints(Reference.parse("python:3.9-slim")))
                .containsExactly("127.0.0.1:5100", "mirror.example:5000", "registry-1.docker.io");
        assertThat(c.endpoints(Reference.parse("quay.io/a/b"))).containsExactly("quay.io");
        assertThat(c.plainHttp("build.example:5000")).isTrue();
    }

    @Test
    void plainHttp_loopbackOnlyWithoutFlag() {
        RegistryConfig c = RegistryConfig.load(null, List.of(), List.of("10.0.0.5:5000"));
        assertThat(c.baseUri("127.0.0.1:5100").toString()).isEqualTo("http://127.0.0.1:5100");
        assertThat(c.baseUri("localhost:5000").getScheme()).isEqualTo("http");
        assertThat(c.baseUri("[::1]:5000").getScheme()).isEqualTo("http");
        assertThat(c.baseUri("10.0.0.5:5000").getScheme()).isEqualTo("http");
        assertThat(c.baseUri("registry-1.docker.io").getScheme()).isEqualTo("https");
        assertThat(c.baseUri("127.example.com").getScheme()).isEqualTo("https");
    }

    @Test
    void load_badMirrorFlag_explainsTheSyntax() {
        assertThatThrownBy(() -> RegistryConfig.load(null, List.of("127.0.0.1:5100"), List.of()))
                .hasMessageContaining("REGISTRY=HOST[:PORT]");
    }

    @Test
    void load_unreadableFile_namesIt() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> RegistryConfig.load(file, List.of(), List.of())).hasMessageContaining(file.toString());
    }
}
