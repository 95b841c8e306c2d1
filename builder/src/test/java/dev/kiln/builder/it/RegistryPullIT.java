package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln pull against the real anonymous registry, judged by what skopeo sees there. */
class RegistryPullIT {
    @TempDir Path tmp;
    String registry;
    Kiln kiln;

    @BeforeEach
    void setUp() {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        kiln = new Kiln(tmp.resolve("store"));
    }

    private ImageRecord stored(String name) {
        return new LocalStore(kiln.root()).image(name).orElseThrow();
    }

    private static Digest entryFor(JsonNode index, String arch) {
        for (JsonNode m : index.path("manifests")) {
            if (m.path("platform").path("architecture").asText().equals(arch)) {
                return Digest.parse(m.path("digest").asText());
            }
        }
        throw new AssertionError("no " + arch + " entry in " + index);
    }

    private void assertLayersStored(ImageRecord image) {
        LocalStore store = new LocalStore(kiln.root());
        Manifest m = store.manifest(image).manifest().value();
        assertThat(store.hasBlob(m.config().digest())).isTrue();
        for (Descriptor l : m.layers()) {
            assertThat(store.blobSize(l.digest())).isEqualTo(l.size());
        }
    }

    @Test
    void pull_index_selectsAmd64ManifestAndKeepsItsDigest() throws Exception {
        String name = registry + "/library/busybox:latest";
        JsonNode index = Kiln.skopeoInspect("docker://" + name, true);
        kiln.run("pull", "--platform", "linux/amd64", name).ok();
        ImageRecord image = stored(name);
        assertThat(image.manifest()).isEqualTo(entryFor(index, "amd64"));
        assertThat(image.index()).isNotNull();
        assertLayersStored(image);
    }

    @Test
    void pull_indexWithArm64Platform_selectsArm64Entry() throws Exception {
        String name = registry + "/library/busybox:latest";
        JsonNode index = Kiln.skopeoInspect("docker://" + name, true);
        kiln.run("pull", "--platform", "linux/arm64", name).ok();
        assertThat(stored(name).manifest()).isEqualTo(entryFor(index, "arm64"));
    }

    @Test
    void pull_singleOciAndDockerV2s2_keepDigestsAndLayersSkopeoReports() throws Exception {
        for (String tag : List.of("oci", "v2s2")) {
            String name = registry + "/library/busybox:" + tag;
            JsonNode info = Kiln.skopeoInspect("docker://" + name, false);
            kiln.run("pull", name).ok();
            ImageRecord image = stored(name);
            assertThat(image.manifest().toString()).isEqualTo(info.path("Digest").asText());
            LocalStore store = new LocalStore(kiln.root());
            List<String> layers = store.manifest(image).manifest().value().layers().stream()
                    .map(d -> d.digest().toString()).toList();
            assertThat(layers).containsExactlyElementsOf(Kiln.texts(info.path("Layers")));
            assertLayersStored(image);
        }
        assertThat(stored(registry + "/library/busybox:v2s2").mediaType().isDocker()).isTrue();
    }

    @Test
    void pull_python_storesItsLayerVerified() throws Exception {
        String name = registry + "/library/python:3.9-slim";
        JsonNode info = Kiln.skopeoInspect("docker://" + name, false);
        Kiln.Run run = kiln.run("pull", name).ok();
        assertThat(run.out()).contains(info.path("Digest").asText());
        assertLayersStored(stored(name));
        assertThat(kiln.run("images").ok().out()).contains(registry + "/library/python").contains("3.9-slim");
    }

    @Test
    void pull_dockerHubNameThroughMirror_comesFromTheLocalRegistry() throws Exception {
        Kiln.Run run = kiln.run("pull", "--registry-mirror", "docker.io=" + registry, "busybox:oci").ok();
        JsonNode info = Kiln.skopeoInspect("docker://" + registry + "/library/busybox:oci", false);
        assertThat(stored("docker.io/library/busybox:oci").manifest().toString()).isEqualTo(info.path("Digest").asText());
        assertThat(run.out()).contains("docker.io/library/busybox:oci");
    }

    @Test
    void pull_unknownTag_failsWithRegistryMessageNoStackTrace() {
        Kiln.Run run = kiln.run("pull", registry + "/library/busybox:no-such-tag");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("MANIFEST_UNKNOWN").contains("404").doesNotContain("\tat ");
    }

    @Test
    void inspect_remoteIndex_showsChosenManifestAndConfigWithoutPulling() throws Exception {
        String name = registry + "/library/busybox:latest";
        Kiln.Run run = kiln.run("inspect", "--platform", "linux/amd64", name).ok();
        JsonNode doc = dev.kiln.oci.Json.readTree(run.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode index = Kiln.skopeoInspect("docker://" + name, true);
        assertThat(doc.path("ManifestDigest").asText()).isEqualTo(entryFor(index, "amd64").toString());
        assertThat(doc.path("Config").path("config").path("Cmd").get(0).asText()).isEqualTo("sh");
        assertThat(new LocalStore(kiln.root()).images()).isEmpty();
    }
}
