package dev.kiln.oci.layout;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TestImages;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every archive kiln writes, judged by the real tools: skopeo, umoci, oci-image-tool. */
class ArchiveToolsIT {
    @TempDir
    Path tmp;

    OciLayout layout;
    Image image;

    @BeforeEach
    void makeImage() throws Exception {
        layout = OciLayout.create(tmp.resolve("layout"));
        image = TestImages.ociImage(layout, Platform.parse("linux/amd64"),
                Map.of("etc/", "", "etc/os-release", "ID=kiln\n"),
                Map.of("app/", "", "app/" + "n".repeat(150), "long name\n"));
        layout.tag("1.0", image.descriptor());
    }

    @Test
    void skopeoInspect_ociArchive_reportsOurDigests() throws Exception {
        Path archive = tmp.resolve("image.tar");
        OciArchive.write(layout, archive);
        JsonNode info = Json.readTree(ExternalTool.run("skopeo", "inspect", "oci-archive:" + archive + ":1.0")
                .assertSuccess().stdout().getBytes(StandardCharsets.UTF_8));
        assertThat(info.get("Digest").asText()).isEqualTo(image.manifest().digest().toString());
        assertThat(texts(info.get("Layers"))).containsExactlyElementsOf(
                image.layers().stream().map(l -> l.digest().toString()).toList());
        assertThat(texts(info.get("Env"))).contains("PATH=/bin");
    }

    @Test
    void umociUnpack_layout_producesRootfs() throws Exception {
        Path bundle = tmp.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout.dir() + ":1.0", bundle.toString())
                .assertSuccess();
        assertThat(bundle.resolve("rootfs/etc/os-release")).hasContent("ID=kiln");
        assertThat(bundle.resolve("rootfs/app/" + "n".repeat(150))).exists();
    }

    @Test
    void umociUnpack_extractedOciArchive_producesRootfs() throws Exception {
        Path archive = tmp.resolve("image.tar");
        OciArchive.write(layout, archive);
        Path unpacked = tmp.resolve("unpacked");
        ExternalTool.run("tar", "-xf", archive.toString(), "-C", mkdir(unpacked)).assertSuccess();
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", unpacked + ":1.0", tmp.resolve("b").toString())
                .assertSuccess();
        assertThat(tmp.resolve("b/rootfs/etc/os-release")).hasContent("ID=kiln");
    }

    @Test
    void ociImageTool_validate_acceptsLayoutWithIndex() throws Exception {
        Image arm = TestImages.ociImage(layout, Platform.parse("linux/arm64/v8"), Map.of("arch", "arm64"));
        Index index = Index.of(MediaType.OCI_INDEX, List.of(
                image.descriptor().withPlatform(Platform.parse("linux/amd64")),
                arm.descriptor().withPlatform(Platform.parse("linux/arm64/v8"))));
        layout.tag("multi", layout.putDocument(Json.encode(index), MediaType.OCI_INDEX));
        ImageValidator.validate(layout);
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=1.0",
                layout.dir().toString()).assertSuccess();
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=multi",
                layout.dir().toString()).assertSuccess();
    }

    @Test
    void skopeoInspect_dockerArchive_reportsDiffIdsAndTag() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("example.com/kiln/app:1.0"), image)), archive);
        JsonNode info = Json.readTree(ExternalTool.run("skopeo", "inspect", "docker-archive:" + archive)
                .assertSuccess().stdout().getBytes(StandardCharsets.UTF_8));
        assertThat(texts(info.get("Layers"))).containsExactlyElementsOf(
                image.diffIds().stream().map(Digest::toString).toList());
        // skopeo lists no RepoTags for archives, but it must find the image by its tag
        JsonNode byTag = Json.readTree(ExternalTool.run("skopeo", "inspect",
                "docker-archive:" + archive + ":example.com/kiln/app:1.0").assertSuccess().stdout()
                .getBytes(StandardCharsets.UTF_8));
        assertThat(byTag.get("Digest").asText()).isEqualTo(info.get("Digest").asText());
    }

    @Test
    void podmanLoad_dockerAndOciArchives_loadedWithOurImageId() throws Exception {
        ExternalTool.assumeInstalled("podman");
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "podman load into a private --root is only checked as root (CI runs as root)");
        Path docker = tmp.resolve("docker.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("example.com/kiln/app:1.0"), image)), docker);
        Path oci = tmp.resolve("oci.tar");
        OciArchive.write(layout, oci);
        String[] podman = {"podman", "--root", tmp.resolve("storage").toString(), "--runroot",
            tmp.resolve("run").toString(), "--storage-driver", "vfs"};
        ExternalTool.run(concat(podman, "load", "-i", docker.toString())).assertSuccess();
        ExternalTool.run(concat(podman, "load", "-i", oci.toString())).assertSuccess();
        String images = ExternalTool.run(concat(podman, "images", "--no-trunc", "--format",
                "{{.Repository}}:{{.Tag}} {{.ID}}")).assertSuccess().stdout();
        assertThat(images).contains("example.com/kiln/app:1.0 " + image.config().digest());
        assertThat(images.lines().filter(l -> l.endsWith(image.config().digest().toString()))).hasSizeGreaterThan(0);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void skopeoCopy_ourDockerArchiveToOciLayout_validImage() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("app:1.0"), image)), archive);
        Path out = tmp.resolve("copied");
        ExternalTool.run("skopeo", "copy", "docker-archive:" + archive, "oci:" + out + ":x").assertSuccess();
        OciLayout copied = OciLayout.open(out);
        ImageValidator.validate(copied);
        Image back = copied.image("x", Platform.parse("linux/amd64"));
        assertThat(back.diffIds()).isEqualTo(image.diffIds());
        assertThat(back.config().value().config()).isEqualTo(image.config().value().config());
    }

    @Test
    void skopeoWrittenArchives_readByKiln() throws Exception {
        Path oci = tmp.resolve("skopeo-oci.tar");
        Path docker = tmp.resolve("skopeo-docker.tar");
        ExternalTool.run("skopeo", "copy", "oci:" + layout.dir() + ":1.0", "oci-archive:" + oci + ":t")
                .assertSuccess();
        ExternalTool.run("skopeo", "copy", "oci:" + layout.dir() + ":1.0", "docker-archive:" + docker + ":app:t")
                .assertSuccess();

        OciLayout fromOci = OciArchive.extract(oci, tmp.resolve("x1"));
        ImageValidator.validate(fromOci);
        assertThat(fromOci.image("t", Platform.parse("linux/amd64")).diffIds()).isEqualTo(image.diffIds());
        Image inPlace = OciArchiveReader.open(oci).image("t", Platform.parse("linux/amd64"));
        ImageValidator.validate(inPlace);
        assertThat(inPlace.manifest().digest()).isEqualTo(fromOci.resolve("t").orElseThrow().digest());

        List<DockerArchive.Entry> fromDocker = DockerArchive.read(docker, tmp.resolve("x2"));
        assertThat(fromDocker).singleElement().satisfies(e -> {
            assertThat(e.repoTags()).containsExactly("docker.io/library/app:t"); // skopeo normalises
            assertThat(e.image().diffIds()).isEqualTo(image.diffIds());
        });
        ImageValidator.validate(fromDocker.get(0).image());
    }

    @Test
    void fixtureLayouts_readAndValid() throws Exception {
        Path fixtures = Path.of(ExternalTool.assumeEnv("KILN_IT_FIXTURES"));
        OciLayout busybox = OciLayout.open(fixtures.resolve("busybox.oci"));
        ImageValidator.validate(busybox);
        Image amd = busybox.image("latest", Platform.parse("linux/amd64"));
        assertThat(amd.layers()).hasSize(2);
        assertThat(amd.config().value().config().cmd()).containsExactly("sh");
        OciLayout python = OciLayout.open(fixtures.resolve("python.oci"));
        ImageValidator.validate(python);
        Descriptor d = python.resolve("3.9-slim").orElseThrow();
        assertThat(python.image(d, Platform.parse("linux/amd64")).layers()).hasSize(1);
    }

    private static String mkdir(Path p) throws Exception {
        java.nio.file.Files.createDirectories(p);
        return p.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
