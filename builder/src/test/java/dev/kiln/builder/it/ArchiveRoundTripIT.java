package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pull → save → load → push keeps manifest and layer digests; every archive kiln writes is accepted
 * by skopeo, umoci and oci-image-tool (docker archives by skopeo).
 */
class ArchiveRoundTripIT {
    @TempDir Path tmp;
    String registry;

    @BeforeEach
    void setUp() {
        registry = ItEnv.require("KILN_IT_REGISTRY");
    }

    /** umoci and oci-image-tool judge an extracted OCI archive. */
    private void judgeOciArchive(Path archive, String ref) throws Exception {
        Path layout = tmp.resolve("layout-" + archive.getFileName());
        Files.createDirectories(layout);
        ExternalTool.run("tar", "-xf", archive.toString(), "-C", layout.toString()).assertSuccess();
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=" + ref, layout.toString())
                .assertSuccess();
        Path bundle = tmp.resolve("bundle-" + archive.getFileName());
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout + ":" + ref, bundle.toString())
                .assertSuccess();
        assertThat(bundle.resolve("rootfs")).isDirectory();
    }

    @Test
    void pullSaveLoadPush_keepsManifestAndLayerDigests() throws Exception {
        for (String tag : List.of("oci", "v2s2", "latest")) {
            String source = registry + "/library/busybox:" + tag;
            Kiln first = new Kiln(tmp.resolve("store1-" + tag));
            first.run("pull", "--platform", "linux/amd64", source).ok();
            Path archive = tmp.resolve("busybox-" + tag + ".tar");
            first.run("save", source, "-o", archive.toString()).ok();

            JsonNode fromArchive = Kiln.skopeoInspect("oci-archive:" + archive + ":" + tag, false);
            judgeOciArchive(archive, tag);

            Kiln second = new Kiln(tmp.resolve("store2-" + tag));
            assertThat(second.run("load", "-i", archive.toString()).ok().out()).contains(source);
            String dest = registry + "/roundtrip/busybox:" + tag;
            second.run("push", source, dest).ok();

            JsonNode pushed = Kiln.skopeoInspect("docker://" + dest, false);
            JsonNode src = Kiln.skopeoInspect("docker://" + source, false); // resolves the index for amd64
            String archived = fromArchive.path("Digest").asText();
            assertThat(pushed.path("Digest").asText()).isEqualTo(archived);
            assertThat(Kiln.texts(pushed.path("Layers"))).containsExactlyElementsOf(Kiln.texts(src.path("Layers")));
            assertThat(Kiln.texts(fromArchive.path("Layers"))).containsExactlyElementsOf(Kiln.texts(src.path("Layers")));
            switch (tag) {
                case "oci" -> assertThat(archived).isEqualTo(src.path("Digest").asText());
                case "latest" -> assertThat(archived).isEqualTo(amd64Entry(source));
                default -> { } // Docker v2s2 is rewritten with OCI media types for the OCI archive, blobs kept
            }
        }
    }

    private static String amd64Entry(String source) throws Exception {
        for (JsonNode m : Kiln.skopeoInspect("docker://" + source, true).path("manifests")) {
            if (m.path("platform").path("architecture").asText().equals("amd64")) {
                return m.path("digest").asText();
            }
        }
        throw new AssertionError("no amd64 entry for " + source);
    }

    @Test
    void pullPush_dockerV2s2_keepsItsExactManifest() throws Exception {
        String source = registry + "/library/busybox:v2s2";
        Kiln kiln = new Kiln(tmp.resolve("store-v2s2"));
        kiln.run("pull", source).ok();
        String dest = registry + "/roundtrip/busybox-v2s2:copy";
        kiln.run("push", source, dest).ok();
        assertThat(Kiln.skopeoInspect("docker://" + dest, false).path("Digest").asText())
                .isEqualTo(Kiln.skopeoInspect("docker://" + source, false).path("Digest").asText());
    }

    @Test
    void saveDockerFormat_isReadBySkopeoAndLoadsBack() throws Exception {
        String source = registry + "/library/busybox:oci";
        Kiln kiln = new Kiln(tmp.resolve("store"));
        kiln.run("pull", source).ok();
        Path archive = tmp.resolve("busybox-docker.tar");
        kiln.run("save", "--format", "docker", source, "-o", archive.toString()).ok();
        JsonNode info = Kiln.skopeoInspect("docker-archive:" + archive, false);
        JsonNode config = Kiln.skopeoInspect("docker://" + source, false);
        assertThat(info.path("Created").asText()).isEqualTo(config.path("Created").asText());
        assertThat(info.path("Layers")).hasSize(2);

        Kiln other = new Kiln(tmp.resolve("other"));
        assertThat(other.run("load", "-i", archive.toString()).ok().out()).contains(source);
        assertThat(other.run("images").ok().out()).contains("busybox");
    }

    @Test
    void copy_registryToOciLayoutAndArchive_sameBytesAndValid() throws Exception {
        String source = registry + "/library/python:3.9-slim";
        Kiln kiln = new Kiln(tmp.resolve("store"));
        Path layout = tmp.resolve("python.oci");
        kiln.run("copy", "docker://" + source, "oci:" + layout + ":3.9-slim").ok();
        JsonNode src = Kiln.skopeoInspect("docker://" + source, false);
        JsonNode copied = Kiln.skopeoInspect("oci:" + layout + ":3.9-slim", false);
        assertThat(copied.path("Digest").asText()).isEqualTo(src.path("Digest").asText());
        assertThat(Kiln.texts(copied.path("Layers"))).containsExactlyElementsOf(Kiln.texts(src.path("Layers")));
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=3.9-slim", layout.toString())
                .assertSuccess();

        Path archive = tmp.resolve("python.tar");
        kiln.run("copy", "oci:" + layout + ":3.9-slim", "oci-archive:" + archive + ":3.9-slim").ok();
        assertThat(Kiln.skopeoInspect("oci-archive:" + archive + ":3.9-slim", false).path("Digest").asText())
                .isEqualTo(src.path("Digest").asText());
        // copy leaves no image behind in the store
        assertThat(kiln.run("images", "-q").ok().out()).isBlank();
    }

    @Test
    void copy_dockerArchiveWrittenBySkopeo_intoKilnStore() throws Exception {
        String source = registry + "/library/busybox:v2s2";
        Path archive = tmp.resolve("skopeo-docker.tar");
        ExternalTool.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + source,
                "docker-archive:" + archive + ":mine/busybox:1").assertSuccess();
        Kiln kiln = new Kiln(tmp.resolve("store"));
        kiln.run("copy", "docker-archive:" + archive, "kiln:mine/busybox:1").ok();
        assertThat(kiln.run("images").ok().out()).containsPattern("(?m)^mine/busybox +1 ");
    }
}
