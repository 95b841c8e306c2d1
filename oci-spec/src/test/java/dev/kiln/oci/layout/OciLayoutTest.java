package dev.kiln.oci.layout;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TestImages;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OciLayoutTest {
    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final Platform ARM64 = Platform.parse("linux/arm64/v8");

    @TempDir
    Path tmp;

    @Test
    void create_emptyDir_writesLayoutFileAndEmptyIndex() throws Exception {
        OciLayout layout = OciLayout.create(tmp.resolve("l"));
        assertThat(tmp.resolve("l/oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(layout.index().value().manifests()).isEmpty();
        assertThat(Files.readString(tmp.resolve("l/index.json"))).contains("\"manifests\":[]");
    }

    @Test
    void open_notALayout_refusedWithHint() {
        assertThatThrownBy(() -> OciLayout.open(tmp)).isInstanceOf(KilnException.class)
                .hasMessageContaining("not an OCI image layout");
    }

    @Test
    void writeImage_thenTag_readsBackIdenticalImage() throws Exception {
        OciLayout source = OciLayout.create(tmp.resolve("src"));
        Image image = TestImages.ociImage(source, AMD64, Map.of("etc/hello", "hi"), Map.of("bin/", ""));
        OciLayout layout = OciLayout.create(tmp.resolve("dst"));
        Descriptor d = layout.writeImage(image);
        layout.tag("v1", d);
        Image back = layout.image("v1", AMD64);
        assertThat(back.manifest().bytes()).isEqualTo(image.manifest().bytes());
        assertThat(back.config().digest()).isEqualTo(image.config().digest());
        assertThat(layout.tags()).containsExactly("v1");
        ImageValidator.validate(layout);
        ImageValidator.validate(back);
    }

    @Test
    void tag_sameRefTwice_replacesEntry() throws Exception {
        OciLayout layout = OciLayout.create(tmp.resolve("l"));
        Image a = TestImages.ociImage(layout, AMD64, Map.of("a", "1"));
        Image b = TestImages.ociImage(layout, AMD64, Map.of("b", "2"));
        layout.tag("latest", a.descriptor());
        layout.tag("old", a.descriptor());
        layout.tag("latest", b.descriptor());
        assertThat(layout.tags()).containsExactly("old", "latest");
        assertThat(layout.resolve("latest").orElseThrow().digest()).isEqualTo(b.manifest().digest());
        assertThat(layout.resolve(null)).isEmpty();
    }

    @Test
    void image_indexWithTwoPlatforms_selectsByPlatform() throws Exception {
        OciLayout layout = OciLayout.create(tmp.resolve("l"));
        Image amd = TestImages.ociImage(layout, AMD64, Map.of("arch", "amd64"));
        Image arm = TestImages.ociImage(layout, ARM64, Map.of("arch", "arm64"));
        Index index = Index.of(MediaType.OCI_INDEX, List.of(amd.descriptor().withPlatform(AMD64),
                arm.descriptor().withPlatform(ARM64)));
        Descriptor indexDescriptor = layout.putDocument(Json.encode(index), MediaType.OCI_INDEX);
        layout.tag("multi", indexDescriptor);

        assertThat(layout.image("multi", Platform.parse("linux/arm64")).manifest().digest())
                .isEqualTo(arm.manifest().digest());
        assertThat(layout.image("multi", AMD64).manifest().digest()).isEqualTo(amd.manifest().digest());
        assertThatThrownBy(() -> layout.image("multi", Platform.parse("linux/s390x")))
                .isInstanceOf(KilnException.class).hasMessageContaining("linux/s390x")
                .satisfies(e -> assertThat(((KilnException) e).hint().orElseThrow()).contains("linux/arm64/v8"));
        assertThatThrownBy(() -> layout.image("nope", AMD64)).isInstanceOf(KilnException.class)
                .hasMessageContaining("'nope'");
        ImageValidator.validate(layout);
    }

    @Test
    void copyFrom_index_copiesWholeTree() throws Exception {
        OciLayout src = OciLayout.create(tmp.resolve("src"));
        Image amd = TestImages.ociImage(src, AMD64, Map.of("x", "1"));
        Image arm = TestImages.dockerImage(src, ARM64, Map.of("y", "2"));
        Parsed<Index> index = Json.encode(Index.of(MediaType.OCI_INDEX,
                List.of(amd.descriptor().withPlatform(AMD64), arm.descriptor().withPlatform(ARM64))));
        Descriptor root = src.putDocument(index, MediaType.OCI_INDEX);

        OciLayout dst = OciLayout.create(tmp.resolve("dst"));
        dst.tag("t", dst.copyFrom(src, root));
        ImageValidator.validate(dst);
        assertThat(dst.image("t", ARM64).mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    }

    @Test
    void validator_indexPlatformDisagreeingWithConfig_reported() throws Exception {
        OciLayout layout = OciLayout.create(tmp.resolve("l"));
        Image amd = TestImages.ociImage(layout, AMD64, Map.of("a", "1"));
        Index index = Index.of(MediaType.OCI_INDEX, List.of(amd.descriptor().withPlatform(ARM64)));
        layout.tag("lying", layout.putDocument(Json.encode(index), MediaType.OCI_INDEX));
        assertThatThrownBy(() -> ImageValidator.validate(layout)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("index says platform linux/arm64/v8, config says linux/amd64");
    }

    @Test
    void validator_corruptedLayer_reportsDigestProblem() throws Exception {
        OciLayout layout = OciLayout.create(tmp.resolve("l"));
        Image image = TestImages.ociImage(layout, AMD64, Map.of("f", "content"));
        layout.tag("x", image.descriptor());
        Path blob = layout.path(image.layers().get(0).digest()).orElseThrow();
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 9] ^= 1; // flip a bit of the gzip CRC
        Files.write(blob, bytes);
        assertThatThrownBy(() -> ImageValidator.validate(layout)).isInstanceOf(AssertionError.class)
                .hasMessageContaining(image.layers().get(0).digest().toString());
    }
}
