package dev.kiln.oci.layout;

import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Image;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TestImages;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OciArchiveTest {
    @TempDir
    Path tmp;

    private OciLayout sampleLayout(Path dir) throws Exception {
        OciLayout layout = OciLayout.create(dir);
        Image image = TestImages.ociImage(layout, Platform.parse("linux/amd64"),
                Map.of("etc/", "", "etc/os-release", "ID=kiln\n"), Map.of("app/" + "x".repeat(120), "long name"));
        layout.tag("1.0", image.descriptor());
        return layout;
    }

    @Test
    void write_thenExtract_givesValidLayoutWithSameTag() throws Exception {
        OciLayout layout = sampleLayout(tmp.resolve("layout"));
        Path archive = tmp.resolve("image.tar");
        OciArchive.write(layout, archive);
        OciLayout back = OciArchive.extract(archive, tmp.resolve("back"));
        assertThat(back.tags()).containsExactly("1.0");
        assertThat(back.index().bytes()).isEqualTo(layout.index().bytes());
        ImageValidator.validate(back);
    }

    @Test
    void reader_uncompressedArchive_servesBlobsInPlaceInParallel() throws Exception {
        OciLayout layout = sampleLayout(tmp.resolve("layout"));
        Path archive = tmp.resolve("image.tar");
        OciArchive.write(layout, archive);
        OciArchiveReader reader = OciArchiveReader.open(archive);
        Image image = reader.image("1.0", Platform.parse("linux/amd64"));
        ImageValidator.validate(image);
        assertThat(image.manifest().digest()).isEqualTo(layout.resolve("1.0").orElseThrow().digest());
        try (var a = reader.open(image.layers().get(0).digest()); var b = reader.open(image.layers().get(1).digest())) {
            byte[] first = a.readNBytes(5);
            byte[] all = b.readAllBytes();
            assertThat(first).isEqualTo(java.util.Arrays.copyOf(layout.readAll(image.layers().get(0).digest()), 5));
            assertThat(all).isEqualTo(layout.readAll(image.layers().get(1).digest()));
        }
        OciLayout copy = OciLayout.create(tmp.resolve("copy"));
        copy.tag("x", copy.copyFrom(reader, reader.resolve("1.0").orElseThrow()));
        ImageValidator.validate(copy);
    }

    @Test
    void reader_compressedArchive_refusedWithHint() throws Exception {
        OciLayout layout = sampleLayout(tmp.resolve("layout"));
        Path gz = tmp.resolve("image.tar.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            OciArchive.write(layout, out);
        }
        assertThatThrownBy(() -> OciArchiveReader.open(gz)).isInstanceOf(KilnException.class)
                .hasMessageContaining("compressed");
        assertThat(OciArchive.extract(gz, tmp.resolve("x")).tags()).containsExactly("1.0");
    }

    @Test
    void write_isDeterministic_andNormalisesOwnersAndTimes() throws Exception {
        OciLayout layout = sampleLayout(tmp.resolve("layout"));
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        OciArchive.write(layout, first);
        OciLayout copy = OciArchive.extract(new ByteArrayInputStream(first.toByteArray()), tmp.resolve("copy"));
        OciArchive.write(copy, second);
        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(first.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
                assertThat(e.getLongUserId()).isZero();
                assertThat(e.getModTime().getTime()).isZero();
            }
        }
        assertThat(names).startsWith("oci-layout", "index.json", "blobs/", "blobs/sha256/");
        assertThat(names).noneMatch(n -> n.contains(".tmp"));
    }

    @Test
    void extract_entryClimbingOut_refusedAndNothingOutside() throws Exception {
        byte[] evil = tarOf("../escaped", "x");
        Path dir = tmp.resolve("sub/out");
        assertThatThrownBy(() -> OciArchive.extract(new ByteArrayInputStream(evil), dir))
                .isInstanceOf(KilnException.class).hasMessageContaining("../escaped");
        assertThat(tmp.resolve("sub/escaped")).doesNotExist();
    }

    @Test
    void extract_absoluteEntry_refused() throws Exception {
        byte[] evil = tarOf("/tmp/kiln-absolute-" + System.nanoTime(), "x");
        assertThatThrownBy(() -> OciArchive.extract(new ByteArrayInputStream(evil), tmp.resolve("out")))
                .isInstanceOf(KilnException.class).hasMessageContaining("absolute");
    }

    @Test
    void extract_blobNotMatchingItsName_refused() throws Exception {
        String name = "blobs/sha256/" + "a".repeat(64);
        byte[] evil = tarOf(name, "not that");
        assertThatThrownBy(() -> OciArchive.extract(new ByteArrayInputStream(evil), tmp.resolve("out")))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("a".repeat(64));
        assertThat(tmp.resolve("out").resolve(name)).doesNotExist();
    }

    static byte[] tarOf(String name, String content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(bytes.length);
            tar.putArchiveEntry(e);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
