package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.DirBlobStore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerWriterTest {
    @TempDir
    Path tmp;

    record Written(byte[] blob, LayerResult result) {
        List<TarArchiveEntry> entries() throws Exception {
            List<TarArchiveEntry> out = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarReader(
                    new GZIPInputStream(new ByteArrayInputStream(blob)))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    out.add(e);
                }
            }
            return out;
        }

        List<String> names() throws Exception {
            return entries().stream().map(TarArchiveEntry::getName).toList();
        }
    }

    static Written write(LayerWriter writer, List<LayerEntry> entries) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerResult r = writer.write(entries, out);
        return new Written(out.toByteArray(), r);
    }

    @Test
    void write_entries_sortedAndDigestsMatchBytes() throws Exception {
        Written w = write(new LayerWriter(), List.of(
                LayerEntry.file("b", "2".getBytes(StandardCharsets.UTF_8)),
                LayerEntry.file("a-b", "3".getBytes(StandardCharsets.UTF_8)),
                LayerEntry.directory("a"),
                LayerEntry.file("a/z", "1".getBytes(StandardCharsets.UTF_8))));
        assertThat(w.names()).containsExactly("a/", "a/z", "a-b", "b");
        assertThat(w.result().descriptor().digest()).isEqualTo(Digest.sha256(w.blob()));
        assertThat(w.result().descriptor().size()).isEqualTo(w.blob().length);
        assertThat(w.result().descriptor().mediaType()).isEqualTo(MediaType.OCI_LAYER_GZIP);
        byte[] plain = new GZIPInputStream(new ByteArrayInputStream(w.blob())).readAllBytes();
        assertThat(w.result().diffId()).isEqualTo(Digest.sha256(plain));
        assertThat(w.result().uncompressedSize()).isEqualTo(plain.length);
        assertThat(w.entries()).allSatisfy(e -> {
            assertThat(e.getUserName()).isEmpty();
            assertThat(e.getName()).doesNotStartWith("./");
        });
    }

    @Test
    void write_sameEntriesTwice_identicalBytes() throws Exception {
        List<LayerEntry> entries = List.of(LayerEntry.file("f", new byte[] {1, 2, 3}).withMtime(Instant.now()),
                LayerEntry.symlink("l", "/f"));
        assertThat(write(new LayerWriter(), entries).blob()).isEqualTo(write(new LayerWriter(), entries).blob());
    }

    @Test
    void writeDirectory_twiceWithFixedMtime_identicalDigestDespiteDifferentTimes() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve("f"), "x");
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withMtime(Instant.EPOCH).withOwner(0, 0));
        Digest first = writer.writeDirectory(dir, new ByteArrayOutputStream()).descriptor().digest();
        Files.setLastModifiedTime(dir.resolve("f"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        Digest second = writer.writeDirectory(dir, new ByteArrayOutputStream()).descriptor().digest();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void write_clampMtime_onlyLowersLaterTimes() throws Exception {
        Instant clamp = Instant.parse("2020-01-01T00:00:00Z");
        Written w = write(new LayerWriter(LayerWriter.Options.defaults().withClampMtime(clamp)), List.of(
                LayerEntry.file("new", new byte[0]).withMtime(Instant.parse("2024-01-01T00:00:00Z")),
                LayerEntry.file("old", new byte[0]).withMtime(Instant.parse("2010-01-01T00:00:00Z"))));
        assertThat(w.entries()).extracting(e -> e.getModTime().toInstant())
                .containsExactly(clamp, Instant.parse("2010-01-01T00:00:00Z"));
    }

    @Test
    void write_longNamesXattrsAndWhiteouts_roundTripThroughExtractor() throws Exception {
        String longName = "deep/" + "n".repeat(200);
        Written w = write(new LayerWriter(), List.of(
                LayerEntry.directory("deep"),
                LayerEntry.file(longName, "long".getBytes(StandardCharsets.UTF_8))
                        .withXattrs(java.util.Map.of("user.kiln", "v".getBytes(StandardCharsets.UTF_8))),
                LayerEntry.whiteout("etc/gone"),
                LayerEntry.opaque("var")));
        assertThat(w.names()).contains("etc/.wh.gone", "var/.wh..wh..opq", longName);
        RecordingWhiteouts recorder = new RecordingWhiteouts();
        Path out = tmp.resolve("out");
        DiffIdCheck check = DiffIdCheck.of(new ByteArrayInputStream(w.blob()), w.result().descriptor().digest(),
                w.result().diffId());
        new LayerExtractor(LayerExtractor.Options.defaults().withWhiteouts(recorder)).extract(check.stream(), out);
        assertThat(check.finish()).isEqualTo(w.result().diffId());
        assertThat(out.resolve(longName)).hasContent("long");
        assertThat(recorder.whiteouts()).containsExactly("etc/gone");
        assertThat(recorder.opaqueDirs()).containsExactly("var");
    }

    @Test
    void write_hardlinkBeforeTarget_refused() {
        assertThatThrownBy(() -> write(new LayerWriter(), List.of(LayerEntry.file("z", new byte[0]),
                LayerEntry.hardlink("a", "z")))).isInstanceOf(LayerException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> write(new LayerWriter(), List.of(LayerEntry.file("z", new byte[0]),
                LayerEntry.file("z", new byte[0])))).isInstanceOf(LayerException.class).hasMessageContaining("twice");
    }

    @Test
    void writeDirectory_hardlinksSymlinksModes_preservedThroughExtraction() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("src"));
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/busybox"), "#!busybox");
        Files.createLink(dir.resolve("bin/sh"), dir.resolve("bin/busybox"));
        Files.createSymbolicLink(dir.resolve("bin/ls"), Path.of("busybox"));
        Files.setAttribute(dir.resolve("bin/busybox"), "unix:mode", 04755);
        Files.createDirectories(dir.resolve("tmp"));
        Files.setAttribute(dir.resolve("tmp"), "unix:mode", 01777);

        LayerWriter writer = new LayerWriter();
        Written w = write(writer, writer.scan(dir));
        assertThat(w.names()).containsExactly("bin/", "bin/busybox", "bin/ls", "bin/sh", "tmp/");
        TarArchiveEntry sh = w.entries().get(3);
        assertThat(sh.isLink()).isTrue();
        assertThat(sh.getLinkName()).isEqualTo("bin/busybox");

        Path out = tmp.resolve("out");
        new LayerExtractor().extract(new ByteArrayInputStream(w.blob()), out);
        assertThat(Files.getAttribute(out.resolve("bin/sh"), "unix:ino"))
                .isEqualTo(Files.getAttribute(out.resolve("bin/busybox"), "unix:ino"));
        assertThat(Files.readSymbolicLink(out.resolve("bin/ls"))).isEqualTo(Path.of("busybox"));
        assertThat(LayerExtractorTest.mode(out.resolve("bin/busybox"))).isEqualTo(04755);
        assertThat(LayerExtractorTest.mode(out.resolve("tmp"))).isEqualTo(01777);
    }

    @Test
    void writeDirectory_overlayUpperDir_convertsWhiteoutsAndOpaque() throws Exception {
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path opaqueDir = Files.createDirectory(upper.resolve("var"));
        Files.writeString(opaqueDir.resolve("new"), "n");
        Process mknod = new ProcessBuilder("mknod", upper.resolve("gone").toString(), "c", "0", "0")
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mknod.waitFor() == 0, "mknod of a 0/0 char device is not permitted here (needs root "
                + "or a user namespace): " + new String(mknod.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        try {
            Files.setAttribute(opaqueDir, "user:overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            Assumptions.abort("user xattrs are not supported on " + tmp + ": " + e);
        }
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withOverlayWhiteouts(true));
        Written w = write(writer, writer.scan(upper));
        assertThat(w.names()).containsExactly(".wh.gone", "var/", "var/.wh..wh..opq", "var/new");
        assertThat(w.entries().get(1).getExtraPaxHeaders()).doesNotContainKey("SCHILY.xattr.user.overlay.opaque");
    }

    @Test
    void write_zstd_roundTripsThroughExtractor() throws Exception {
        Assumptions.assumeTrue(Compression.zstdAvailable(), "zstd-jni is not on the test class path");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerResult r = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.ZSTD))
                .write(List.of(LayerEntry.file("z", "zstd!".getBytes(StandardCharsets.UTF_8))), out);
        assertThat(r.descriptor().mediaType()).isEqualTo(MediaType.OCI_LAYER_ZSTD);
        assertThat(r.descriptor().digest()).isEqualTo(Digest.sha256(out.toByteArray()));
        Path dir = tmp.resolve("z");
        DiffIdCheck check = DiffIdCheck.of(new ByteArrayInputStream(out.toByteArray()), r.descriptor().digest(),
                r.diffId());
        new LayerExtractor().extract(check.stream(), dir);
        assertThat(check.finish()).isEqualTo(r.diffId());
        assertThat(dir.resolve("z")).hasContent("zstd!");
    }

    @Test
    void writeTo_blobStore_storesVerifiedBlob() throws Exception {
        DirBlobStore store = new DirBlobStore(tmp.resolve("blobs"));
        LayerResult r = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE))
                .write(List.of(LayerEntry.file("f", new byte[] {42})), store);
        assertThat(r.descriptor().mediaType()).isEqualTo(MediaType.OCI_LAYER);
        assertThat(r.descriptor().digest()).isEqualTo(r.diffId());
        assertThat(store.size(r.descriptor().digest())).isEqualTo(r.descriptor().size());
    }

    /** Entry names are split by ImagePaths.inside; SafeRoot still refuses a NUL, even in a part a later .. folds away. */
    @Test
    void entryName_nulOrClimb_refused_dotsFolded() {
        assertThat(LayerEntry.file("./a//b/./c/../d", new byte[0]).path()).isEqualTo("a/b/d");
        assertThatThrownBy(() -> LayerEntry.file("a\0b/../c", new byte[0]))
                .isInstanceOf(LayerException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> LayerEntry.file("a/../../c", new byte[0]))
                .isInstanceOf(LayerException.class).hasMessageContaining("climbs out");
        assertThatThrownBy(() -> LayerEntry.directory("a/.."))
                .isInstanceOf(LayerException.class).hasMessageContaining("names the root");
    }

    @Test
    void intoAStore_streamsOnce_andAFailedLayerLeavesNothing() throws Exception {
        DirBlobStore store = new DirBlobStore(tmp.resolve("blobs"));
        byte[] big = new byte[3 * ParallelGzipOutputStream.BLOCK + 5];
        LayerResult ok = new LayerWriter().write(List.of(LayerEntry.file("big", big)), store);
        assertThat(store.has(ok.descriptor().digest(), ok.descriptor().size())).isTrue();
        assertThat(store.size(ok.descriptor().digest())).isEqualTo(ok.descriptor().size());

        Path missing = tmp.resolve("missing");
        Files.writeString(missing, "x");
        LayerEntry vanishing = LayerEntry.file("gone", missing);
        Files.delete(missing);
        assertThatThrownBy(() -> new LayerWriter().write(List.of(LayerEntry.file("a", big), vanishing), store))
                .isInstanceOf(java.io.IOException.class);
        try (var files = Files.walk(store.root())) {
            // the good layer's blob and its directories; no temp file, no second blob
            assertThat(files.filter(Files::isRegularFile).toList()).containsExactly(store.file(ok.descriptor().digest()));
        }
    }
}
