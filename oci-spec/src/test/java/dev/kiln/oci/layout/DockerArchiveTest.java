package dev.kiln.oci.layout;

import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Image;
import dev.kiln.oci.Json;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TestImages;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerArchiveTest {
    static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    @Test
    void write_thenRead_keepsConfigAndDiffIdsWithUncompressedLayers() throws Exception {
        OciLayout src = OciLayout.create(tmp.resolve("src"));
        Image image = TestImages.ociImage(src, AMD64, Map.of("a", "1"), Map.of("b/", "", "b/c", "2"));
        Path archive = tmp.resolve("docker.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("example.com/app:1.0"), image)), archive);

        Map<String, byte[]> files = readTar(archive);
        JsonNode manifest = Json.readTree(files.get("manifest.json"));
        assertThat(manifest.get(0).get("Config").asText()).isEqualTo("blobs/sha256/" + image.config().digest().hex());
        assertThat(manifest.get(0).get("RepoTags").get(0).asText()).isEqualTo("example.com/app:1.0");
        assertThat(manifest.get(0).get("Layers").get(0).asText())
                .isEqualTo("blobs/sha256/" + image.diffIds().get(0).hex());
        assertThat(Json.readTree(files.get("repositories")).get("example.com/app").get("1.0").asText())
                .isEqualTo(image.diffIds().get(1).hex());
        // layer files are the uncompressed tars: their sha256 is the diff ID
        byte[] layer = files.get("blobs/sha256/" + image.diffIds().get(0).hex());
        assertThat(Digest.sha256(layer)).isEqualTo(image.diffIds().get(0));

        List<DockerArchive.Entry> read = DockerArchive.read(archive, tmp.resolve("work"));
        assertThat(read).hasSize(1);
        Image back = read.get(0).image();
        assertThat(read.get(0).repoTags()).containsExactly("example.com/app:1.0");
        assertThat(back.config().bytes()).isEqualTo(image.config().bytes());
        assertThat(back.diffIds()).isEqualTo(image.diffIds());
        assertThat(back.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(back.layers()).allSatisfy(l -> assertThat(l.mediaType()).isEqualTo(MediaType.DOCKER_LAYER));
        assertThat(back.layers().get(0).digest()).isEqualTo(image.diffIds().get(0));
        ImageValidator.validate(back);
        assertThat(tmp.resolve("work/extract")).doesNotExist();
    }

    @Test
    void write_isAlsoAValidOciLayout() throws Exception {
        OciLayout src = OciLayout.create(tmp.resolve("src"));
        Image image = TestImages.dockerImage(src, AMD64, Map.of("a", "1"));
        Path archive = tmp.resolve("docker.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("app:latest"), image)), archive);
        OciLayout asOci = OciArchive.extract(archive, tmp.resolve("oci"));
        assertThat(asOci.tags()).containsExactly("latest");
        ImageValidator.validate(asOci);
    }

    @Test
    void write_sharedLayers_storedOnce() throws Exception {
        OciLayout src = OciLayout.create(tmp.resolve("src"));
        Image a = TestImages.ociImage(src, AMD64, Map.of("base", "x"));
        Image b = TestImages.ociImage(src, AMD64, Map.of("base", "x"), Map.of("top", "y"));
        Path archive = tmp.resolve("two.tar");
        DockerArchive.write(List.of(new DockerArchive.Entry(List.of("a:1"), a),
                new DockerArchive.Entry(List.of("b:1", "b:latest"), b)), archive);
        Map<String, byte[]> files = readTar(archive);
        assertThat(files.keySet().stream().filter(n -> n.equals("blobs/sha256/" + a.diffIds().get(0).hex())))
                .hasSize(1);
        List<DockerArchive.Entry> read = DockerArchive.read(archive, tmp.resolve("work"));
        assertThat(DockerArchive.byTag(read)).containsOnlyKeys("a:1", "b:1", "b:latest");
        for (DockerArchive.Entry e : read) {
            ImageValidator.validate(e.image());
        }
    }

    @Test
    void read_legacyFormatWithSymlinkedDuplicateAndGzipLayer_accepted() throws Exception {
        byte[] layer1 = TestImages.tar(Map.of("one", "1"));
        byte[] layer2 = TestImages.tar(Map.of("two", "2"));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + Digest.sha256(layer1) + "\",\"" + Digest.sha256(layer2) + "\",\""
                + Digest.sha256(layer1) + "\"]}}";
        String configName = Digest.sha256(config.getBytes(StandardCharsets.UTF_8)).hex() + ".json";
        Path archive = tmp.resolve("legacy.tar");
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            add(tar, "./" + configName, config.getBytes(StandardCharsets.UTF_8));
            add(tar, "aaa/layer.tar", layer1);
            add(tar, "bbb/layer.tar", TestImages.gzip(layer2));
            TarArchiveEntry link = new TarArchiveEntry("ccc/layer.tar", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("../aaa/layer.tar");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            add(tar, "manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":null,\"Layers\":"
                    + "[\"aaa/layer.tar\",\"bbb/layer.tar\",\"ccc/layer.tar\"]}]").getBytes(StandardCharsets.UTF_8));
        }
        List<DockerArchive.Entry> read = DockerArchive.read(archive, tmp.resolve("work"));
        Image image = read.get(0).image();
        assertThat(read.get(0).repoTags()).isEmpty();
        assertThat(image.layers()).extracting(l -> l.mediaType()).containsExactly(MediaType.DOCKER_LAYER,
                MediaType.DOCKER_LAYER_GZIP, MediaType.DOCKER_LAYER);
        ImageValidator.validate(image);
    }

    @Test
    void read_layerNotMatchingDiffId_refused() throws Exception {
        byte[] layer = TestImages.tar(Map.of("one", "1"));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + Digest.sha256(new byte[] {1}) + "\"]}}";
        Path archive = tmp.resolve("bad.tar");
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            add(tar, "c.json", config.getBytes(StandardCharsets.UTF_8));
            add(tar, "l/layer.tar", layer);
            add(tar, "manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"l/layer.tar\"]}]"
                    .getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> DockerArchive.read(archive, tmp.resolve("work")))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(Digest.sha256(new byte[] {1}).toString())
                .hasMessageContaining(Digest.sha256(layer).toString());
    }

    static void add(TarArchiveOutputStream tar, String name, byte[] bytes) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    static Map<String, byte[]> readTar(Path archive) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        return files;
    }
}
