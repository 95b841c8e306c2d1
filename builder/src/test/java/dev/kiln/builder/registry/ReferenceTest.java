package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReferenceTest {
    private static final String D = "sha256:" + "a".repeat(64);

    @Test
    void parse_officialImageWithTag_addsDockerHubAndLibrary() {
        Reference r = Reference.parse("python:3.9-slim");
        assertThat(r.toString()).isEqualTo("docker.io/library/python:3.9-slim");
        assertThat(r.apiHost()).isEqualTo("registry-1.docker.io");
        assertThat(r.repository()).isEqualTo("library/python");
    }

    @Test
    void parse_noTagNoDigest_defaultsToLatest() {
        assertThat(Reference.parse("busybox").tag()).isEqualTo("latest");
        assertThat(Reference.parse("team/app").toString()).isEqualTo("docker.io/team/app:latest");
    }

    @Test
    void parse_hostWithPort_keepsRegistryAndPath() {
        Reference r = Reference.parse("127.0.0.1:5100/library/busybox:v2s2");
        assertThat(r.registry()).isEqualTo("127.0.0.1:5100");
        assertThat(r.repository()).isEqualTo("library/busybox");
        assertThat(r.tag()).isEqualTo("v2s2");
        assertThat(r.apiHost()).isEqualTo("127.0.0.1:5100");
    }

    @Test
    void parse_localhostWithoutPort_isARegistry() {
        Reference r = Reference.parse("localhost/app");
        assertThat(r.registry()).isEqualTo("localhost");
        assertThat(r.repository()).isEqualTo("app");
    }

    @Test
    void parse_digestOnly_hasNoTag() {
        Reference r = Reference.parse("busybox@" + D);
        assertThat(r.tag()).isNull();
        assertThat(r.digest()).isEqualTo(D);
        assertThat(r.manifestReference()).isEqualTo(D);
        assertThat(r.toString()).isEqualTo("docker.io/library/busybox@" + D);
    }

    @Test
    void parse_tagAndDigest_keepsBothAndPullsByDigest() {
        Reference r = Reference.parse("quay.io/a/b:1.0@" + D);
        assertThat(r.tag()).isEqualTo("1.0");
        assertThat(r.manifestReference()).isEqualTo(D);
    }

    @Test
    void parse_dockerHubAliases_normaliseToDockerIo() {
        assertThat(Reference.parse("index.docker.io/library/busybox").registry()).isEqualTo("docker.io");
        assertThat(Reference.parse("docker.io/busybox").repository()).isEqualTo("library/busybox");
    }

    @Test
    void parse_uppercaseRepository_saysMustBeLowercase() {
        assertThatThrownBy(() -> Reference.parse("docker.io/Library/busybox"))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("'docker.io/Library/busybox'")
                .hasMessageContaining("must be lowercase");
    }

    @Test
    void parse_badTag_quotesTag() {
        assertThatThrownBy(() -> Reference.parse("busybox:-bad"))
                .hasMessageContaining("tag '-bad'");
    }

    @Test
    void parse_badDigest_quotesDigest() {
        assertThatThrownBy(() -> Reference.parse("busybox@sha256:xyz"))
                .hasMessageContaining("digest 'sha256:xyz'");
    }

    @Test
    void parse_empty_isRejected() {
        assertThatThrownBy(() -> Reference.parse(" ")).isInstanceOf(InvalidReferenceException.class);
        assertThatThrownBy(() -> Reference.parse("a//b")).hasMessageContaining("empty path component");
    }

    @Test
    void parse_ipv6Host_isARegistry() {
        Reference r = Reference.parse("[::1]:5000/app:1");
        assertThat(r.registry()).isEqualTo("[::1]:5000");
        assertThat(r.tag()).isEqualTo("1");
    }

    @Test
    void familiarName_dropsDockerHubHostAndLibraryOnly() {
        assertThat(Reference.parse("my-python-app").familiarName()).isEqualTo("my-python-app");
        assertThat(Reference.parse("docker.io/library/python:3.9-slim").familiarName()).isEqualTo("python");
        assertThat(Reference.parse("bitnami/redis").familiarName()).isEqualTo("bitnami/redis");
        assertThat(Reference.parse("library/a/b").familiarName()).isEqualTo("library/a/b");
        assertThat(Reference.parse("127.0.0.1:5100/library/busybox").familiarName())
                .isEqualTo("127.0.0.1:5100/library/busybox");
    }

    @Test
    void familiarString_shortNameWithTagAndDigest() {
        assertThat(Reference.parse("my-python-app").familiarString()).isEqualTo("my-python-app:latest");
        assertThat(Reference.parse("docker.io/bitnami/redis:7").familiarString()).isEqualTo("bitnami/redis:7");
        assertThat(Reference.parse("127.0.0.1:5100/team/app:1").familiarString()).isEqualTo("127.0.0.1:5100/team/app:1");
        String digest = "sha256:" + "a".repeat(64);
        assertThat(Reference.parse("python@" + digest).familiarString()).isEqualTo("python@" + digest);
    }

    @Test
    void repoTag_isTheFamiliarNameAndTag_noDigest() {
        assertThat(Reference.parse("docker.io/library/busybox").repoTag()).hasValue("busybox:latest");
        assertThat(Reference.parse("docker.io/library/foo/bar:1").repoTag()).hasValue("library/foo/bar:1");
        assertThat(Reference.parse("127.0.0.1:5000/app:1@" + D).repoTag()).hasValue("127.0.0.1:5000/app:1");
        assertThat(Reference.parse("busybox@" + D).repoTag()).isEmpty();
    }

    @Test
    void registryName_serverAddressesAsUsersWriteThem() {
        assertThat(Reference.registryName(null)).isEqualTo("docker.io");
        assertThat(Reference.registryName("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(Reference.registryName("registry-1.docker.io")).isEqualTo("docker.io");
        assertThat(Reference.registryName("http://127.0.0.1:5000/v2/")).isEqualTo("127.0.0.1:5000");
        assertThat(Reference.registryName(" quay.io ")).isEqualTo("quay.io");
    }
}
