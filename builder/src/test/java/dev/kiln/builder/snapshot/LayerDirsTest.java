package dev.kiln.builder.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.testing.HostileTars;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import dev.kiln.oci.layer.DiffIdMismatchException;
import dev.kiln.oci.layout.DirBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerDirsTest {
    @TempDir Path tmp;

    private LayerBlob snapshot(DirBlobStore blobs, Path dir) {
        return new Snapshotter(blobs).snapshot(dir, SnapshotOptions.gzip().withCompression(Compression.NONE));
    }

    @Test
    void adopt_asRoot_upperDirBecomesTheLayerDir_andIsNotExtractedAgain() throws IOException {
        assumeTrue(ProcessIds.isRoot(), "adopting needs kiln to be root (the tests run as root in CI)");
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        Path upper = Files.createDirectories(tmp.resolve("tmp/run-1"));
        Files.writeString(Files.createDirectories(upper.resolve("many")).resolve("f1"), "1");
        LayerBlob layer = snapshot(blobs, upper);
        LayerDirs dirs = new LayerDirs(new StoreLayout(tmp), blobs);

        assertThat(dirs.adopt(upper, layer)).isTrue();

        Path dir = tmp.resolve("layers").resolve(layer.diffId().hex());
        assertThat(upper).doesNotExist();
        assertThat(dir.resolve("many/f1")).hasContent("1");
        assertThat(dirs.dir(layer)).isEqualTo(dir);
    }

    /** A layer with directories, files, a symlink, a hardlink and the files whose bytes a listing keeps. */
    private LayerBlob richLayer(DirBlobStore blobs) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(Files.createDirectories(dir.resolve("usr/lib")).resolve("a"), "a");
        Files.createLink(dir.resolve("usr/lib/b"), dir.resolve("usr/lib/a"));
        Files.createSymbolicLink(dir.resolve("lib"), Path.of("usr/lib"));
        return snapshot(blobs, dir);
    }

    @Test
    void dir_savesTheListingItMadeOnTheWay_theSameAsReadingTheBlob() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        StoreLayout extracting = new StoreLayout(Files.createDirectories(tmp.resolve("a")));
        StoreLayout reading = new StoreLayout(Files.createDirectories(tmp.resolve("b")));

        new LayerDirs(extracting, blobs).dir(layer);
        new LayerFiles(blobs, reading).view(List.of(layer));

        assertThat(extracting.layerListing(layer.diffId())).isRegularFile()
                .hasSameBinaryContentAs(reading.layerListing(layer.diffId()));
    }

    @Test
    void dir_thenView_readsNoBlob() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        StoreLayout store = new StoreLayout(tmp);
        new LayerDirs(store, blobs).dir(layer);
        Files.delete(blobs.path(layer.descriptor().digest()).orElseThrow());

        LayerFiles.View view = new LayerFiles(blobs, store).view(List.of(layer));

        assertThat(new String(view.content("etc/passwd").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("root:x:0:0:root:/root:/bin/sh\n");
        assertThat(view.isDirectory("lib")).isTrue(); // through the symlink
        assertThat(view.get("usr/lib/b").orElseThrow().type()).isEqualTo('h');
    }

    @Test
    void dir_contentNotItsDiffId_leavesNeitherDirectoryNorListing() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob good = richLayer(blobs);
        LayerBlob lying = new LayerBlob(good.descriptor(), Digest.sha256("something else".getBytes()));
        StoreLayout store = new StoreLayout(tmp);

        assertThatThrownBy(() -> new LayerDirs(store, blobs).dir(lying)).isInstanceOf(DiffIdMismatchException.class);

        assertThat(store.layerDir(lying.diffId())).doesNotExist();
        assertThat(store.layerListing(lying.diffId())).doesNotExist();
        try (var left = Files.list(store.layers())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void dir_corruptGzip_failsAndLeavesNothing() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        Path src = Files.createDirectories(tmp.resolve("src"));
        byte[] noise = new byte[3 << 20];
        new java.util.Random(7).nextBytes(noise);
        Files.write(src.resolve("big"), noise);
        LayerBlob good = new Snapshotter(blobs).snapshot(src, SnapshotOptions.gzip());
        byte[] gzip = Files.readAllBytes(blobs.path(good.descriptor().digest()).orElseThrow());
        for (int i = gzip.length / 2; i < gzip.length / 2 + 64; i++) {
            gzip[i] ^= 0x5a;
        }
        Digest corrupt = blobs.put(new java.io.ByteArrayInputStream(gzip), null, -1);
        LayerBlob layer = new LayerBlob(dev.kiln.oci.Descriptor.of(good.descriptor().mediaType(), corrupt,
                gzip.length), good.diffId());
        StoreLayout store = new StoreLayout(tmp);

        assertThatThrownBy(() -> new LayerDirs(store, blobs).dir(layer)).isInstanceOf(dev.kiln.oci.KilnException.class)
                .hasMessageContaining("cannot extract layer " + corrupt);

        try (var left = Files.list(store.layers())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void adopt_layerAlreadyExtracted_refusesAndLeavesTheUpperDir() throws IOException {
        assumeTrue(ProcessIds.isRoot(), "adopting needs kiln to be root (the tests run as root in CI)");
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        Path upper = Files.createDirectories(tmp.resolve("tmp/run-1"));
        Files.writeString(upper.resolve("f"), "x");
        LayerBlob layer = snapshot(blobs, upper);
        LayerDirs dirs = new LayerDirs(new StoreLayout(tmp), blobs);
        Path extracted = dirs.dir(layer);

        assertThat(dirs.adopt(upper, layer)).isFalse();

        assertThat(upper.resolve("f")).hasContent("x");
        assertThat(extracted.resolve("f")).hasContent("x");
    }

    /** Writes {@code blob[0, upTo)} to {@code arriving} in pieces, as a download does. */
    private static void feed(LayerDirs.Arriving arriving, byte[] blob, int upTo) {
        for (int i = 0; i < upTo; i += 1000) {
            arriving.write(blob, i, Math.min(1000, upTo - i));
        }
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void arriving_allTheBytesAndTheirDiffId_becomeTheLayerDirAndListing_asExtractingTheBlob() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        byte[] blob = Files.readAllBytes(blobs.path(layer.descriptor().digest()).orElseThrow());
        StoreLayout streamed = new StoreLayout(Files.createDirectories(tmp.resolve("a")));
        StoreLayout extracted = new StoreLayout(Files.createDirectories(tmp.resolve("b")));

        LayerDirs.Arriving arriving = new LayerDirs(streamed, blobs).arriving(layer.descriptor());
        feed(arriving, blob, blob.length);
        assertThat(arriving.finish(layer.diffId())).isTrue();
        new LayerDirs(extracted, blobs).dir(layer);

        Path dir = streamed.layerDir(layer.diffId());
        assertThat(entries(streamed.layers())).containsExactly(layer.diffId().hex(), layer.diffId().hex() + ".listing");
        assertThat(dir.resolve("etc/passwd")).hasContent("root:x:0:0:root:/root:/bin/sh\n");
        assertThat(Files.readSymbolicLink(dir.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
        assertThat(streamed.layerListing(layer.diffId()))
                .hasSameBinaryContentAs(extracted.layerListing(layer.diffId()));
    }

    @Test
    void arriving_bytesNotTheClaimedDiffId_keepsNothing() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        byte[] blob = Files.readAllBytes(blobs.path(layer.descriptor().digest()).orElseThrow());
        StoreLayout store = new StoreLayout(tmp);

        LayerDirs.Arriving arriving = new LayerDirs(store, blobs).arriving(layer.descriptor());
        feed(arriving, blob, blob.length);

        assertThat(arriving.finish(Digest.sha256("another layer".getBytes()))).isFalse();
        assertThat(entries(store.layers())).isEmpty();
    }

    @Test
    void placed_isToldOfEachDirectoryPutInPlace_byExtractionOrWhileArriving_notOfAFailedOne() throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        byte[] blob = Files.readAllBytes(blobs.path(layer.descriptor().digest()).orElseThrow());
        StoreLayout extracted = new StoreLayout(Files.createDirectories(tmp.resolve("a")));
        StoreLayout streamed = new StoreLayout(Files.createDirectories(tmp.resolve("b")));
        List<Path> told = new java.util.concurrent.CopyOnWriteArrayList<>();

        LayerBlob lying = new LayerBlob(layer.descriptor(), Digest.sha256("something else".getBytes()));
        assertThatThrownBy(() -> new LayerDirs(extracted, blobs, told::add).dir(lying))
                .isInstanceOf(DiffIdMismatchException.class);
        assertThat(told).isEmpty();

        new LayerDirs(extracted, blobs, told::add).dir(layer);
        new LayerDirs(extracted, blobs, told::add).dir(layer); // there already: nothing placed
        LayerDirs.Arriving arriving = new LayerDirs(streamed, blobs, told::add).arriving(layer.descriptor());
        feed(arriving, blob, blob.length);
        assertThat(arriving.finish(layer.diffId())).isTrue();

        assertThat(told).containsExactly(extracted.layerDir(layer.diffId()), streamed.layerDir(layer.diffId()));
    }

    /** The rich layer's extraction into {@code store}, given the first half of its blob. */
    private record HalfArrived(LayerBlob layer, LayerDirs.Arriving arriving) {}

    private HalfArrived halfArrived(StoreLayout store) throws IOException {
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        LayerBlob layer = richLayer(blobs);
        byte[] blob = Files.readAllBytes(blobs.path(layer.descriptor().digest()).orElseThrow());
        LayerDirs.Arriving arriving = new LayerDirs(store, blobs).arriving(layer.descriptor());
        feed(arriving, blob, blob.length / 2);
        return new HalfArrived(layer, arriving);
    }

    @Test
    void arriving_bodyCutMidStream_keepsNothing() throws IOException {
        StoreLayout store = new StoreLayout(tmp);
        HalfArrived half = halfArrived(store);

        assertThat(half.arriving().finish(half.layer().diffId())).isFalse();
        assertThat(entries(store.layers())).isEmpty();
    }

    @Test
    void arriving_abandonedMidStream_keepsNothing() throws IOException {
        StoreLayout store = new StoreLayout(tmp);
        halfArrived(store).arriving().abandon();

        assertThat(entries(store.layers())).isEmpty();
    }

    @Test
    void arriving_hostileTar_keepsNothingAndWritesNothingOutsideItsStaging() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        byte[] tar = HostileTars.tar(List.of(
                new HostileTars.Entry("lnk", TarConstants.LF_SYMLINK, outside.toString(), 0777, "", 0, Map.of()),
                new HostileTars.Entry("lnk/planted", TarConstants.LF_NORMAL, null, 0644, "pwned", 0, Map.of()),
                new HostileTars.Entry("../victim", TarConstants.LF_NORMAL, null, 0644, "pwned", 0, Map.of())));
        Descriptor blob = Descriptor.of(MediaType.OCI_LAYER, Digest.sha256(tar), tar.length);
        StoreLayout store = new StoreLayout(Files.createDirectories(tmp.resolve("store")));

        LayerDirs.Arriving arriving = new LayerDirs(store, new DirBlobStore(tmp.resolve("blobs"))).arriving(blob);
        feed(arriving, tar, tar.length);

        assertThat(arriving.finish(Digest.sha256(tar))).isFalse();
        assertThat(entries(store.layers())).isEmpty();
        assertThat(entries(outside)).isEmpty();
        assertThat(entries(store.root())).containsExactly("layers");
    }
}
