package dev.kiln.builder.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.BlobWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
    @TempDir Path root;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stores a config, a layer and a manifest; returns the manifest. */
    private RawManifest image(LocalStore store, String seed) {
        byte[] config = bytes("{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"seed\":\"" + seed + "\"}");
        byte[] layer = bytes("layer " + seed);
        Digest c = store.putBytes(config, null, "config");
        Digest l = store.putBytes(layer, null, "layer");
        Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, c, config.length),
                List.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, l, layer.length)));
        byte[] mb = Json.write(m);
        store.putBytes(mb, null, "manifest");
        return RawManifest.of(mb, MediaType.OCI_MANIFEST);
    }

    /** Temp files of the store and of its content store. */
    private long tempFiles() throws Exception {
        long n = 0;
        for (Path dir : List.of(root.resolve("tmp"), root.resolve("blobs/.tmp"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    n += s.count();
                }
            }
        }
        return n;
    }

    // Issue 11, finding 7: a blob a crash (or a disk) damaged is detected, never served, fetched again.

    @Test
    void storeIntegrity_zeroLengthBlobLeftByACrash_isAbsent_andIsStoredAgain() throws Exception {
        LocalStore store = new LocalStore(root);
        byte[] layer = bytes("a layer's bytes");
        Digest d = store.putBytes(layer, null, "layer");
        Files.write(store.blobPath(d), new byte[0]); // what a power loss before the data reached disk leaves

        Descriptor desc = Descriptor.of(MediaType.OCI_LAYER_GZIP, d, layer.length);
        assertThat(store.hasBlob(d)).isFalse();
        assertThat(store.hasBlob(desc)).isFalse();
        store.putBlob(desc, new ByteArrayInputStream(layer), "layer");
        assertThat(store.readBlob(d)).isEqualTo(layer);
    }

    @Test
    void storeIntegrity_truncatedBlob_isAbsentForItsDescriptor_andRemoved() throws Exception {
        LocalStore store = new LocalStore(root);
        byte[] layer = bytes("a layer's bytes");
        Digest d = store.putBytes(layer, null, "layer");
        Files.write(store.blobPath(d), bytes("a layer"));

        assertThat(store.hasBlob(Descriptor.of(MediaType.OCI_LAYER_GZIP, d, layer.length))).isFalse();
        assertThat(store.blobPath(d)).doesNotExist();
    }

    @Test
    void storeIntegrity_damagedBlob_readFailsNamingIt_andIsRemoved() throws Exception {
        LocalStore store = new LocalStore(root);
        Digest d = store.putBytes(bytes("the real content"), null, "config");
        Files.write(store.blobPath(d), bytes("the r3al content"));

        assertThatThrownBy(() -> store.readBlob(d)).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(d.toString()).hasMessageContaining("damaged");
        assertThat(store.hasBlob(d)).isFalse();
    }

    @Test
    void storeIntegrity_incompleteImage_isNotComplete_soItIsPulledAgain() throws Exception {
        LocalStore store = new LocalStore(root);
        RawManifest m = image(store, "x");
        store.putImage(store.recordFor("img", m, null));
        ImageRecord record = store.image("img").orElseThrow();
        assertThat(store.isComplete(record)).isTrue();

        Files.write(store.blobPath(m.manifest().value().layers().get(0).digest()), new byte[0]);

        assertThat(store.isComplete(record)).isFalse();
    }

    @Test
    void putBytes_storesUnderDigestPath() {
        LocalStore store = new LocalStore(root);
        Digest d = store.putBytes(bytes("hello"), null, "x");
        assertThat(store.blobPath(d)).isEqualTo(root.resolve("blobs/sha256/" + d.hex()));
        assertThat(store.readBlob(d)).isEqualTo(bytes("hello"));
    }

    @Test
    void put_wrongDigest_throwsAndLeavesNothing() throws Exception {
        LocalStore store = new LocalStore(root);
        Digest claimed = Digest.sha256(bytes("something else"));
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes("hello")), claimed, 5))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(claimed.toString())
                .hasMessageContaining(Digest.sha256(bytes("hello")).toString());
        assertThat(store.hasBlob(claimed)).isFalse();
        assertThat(store.hasBlob(Digest.sha256(bytes("hello")))).isFalse();
        assertThat(tempFiles()).isZero();
    }

    @Test
    void blobWriter_closedWithoutCommit_leavesNothing() throws Exception {
        LocalStore store = new LocalStore(root);
        try (BlobWriter w = store.newWriter("sha256")) {
            w.write(bytes("partial"));
        }
        assertThat(tempFiles()).isZero();
        assertThat(store.hasBlob(Digest.sha256(bytes("partial")))).isFalse();
    }

    @Test
    void images_putListRemove_roundTripThroughIndexFile() {
        LocalStore store = new LocalStore(root);
        RawManifest m = image(store, "a");
        ImageRecord r = store.recordFor("docker.io/library/a:1", m, null);
        store.putImage(r);
        store.putImage(r.withName("docker.io/library/a:2"));
        LocalStore reopened = new LocalStore(root);
        assertThat(reopened.images()).extracting(ImageRecord::name)
                .containsExactly("docker.io/library/a:1", "docker.io/library/a:2");
        ImageRecord back = reopened.image("docker.io/library/a:1").orElseThrow();
        assertThat(back).isEqualTo(r);
        assertThat(back.created()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(back.size()).isEqualTo(m.size() + m.manifest().value().config().size()
                + m.manifest().value().layers().get(0).size());
        assertThat(reopened.removeImage("docker.io/library/a:1")).isTrue();
        assertThat(reopened.removeImage("docker.io/library/a:1")).isFalse();
    }

    @Test
    void putImage_withoutItsBlobs_isRefused() {
        LocalStore store = new LocalStore(root);
        Digest missing = Digest.sha256(bytes("nope"));
        assertThatThrownBy(() -> store.putImage(new ImageRecord("x/y:1", missing, MediaType.OCI_MANIFEST, missing,
                null, 1, null))).hasMessageContaining("not in the store");
    }

    @Test
    void gc_removesOnlyBlobsNoNamedImageReaches() {
        LocalStore store = new LocalStore(root);
        RawManifest kept = image(store, "kept");
        RawManifest dropped = image(store, "dropped");
        store.putImage(store.recordFor("docker.io/library/kept:1", kept, null));
        Digest droppedLayer = dropped.manifest().value().layers().get(0).digest();
        assertThat(store.gc()).isEqualTo(3);
        assertThat(store.hasBlob(droppedLayer)).isFalse();
        assertThat(store.hasBlob(dropped.digest())).isFalse();
        assertThat(store.hasBlob(kept.digest())).isTrue();
        assertThat(store.hasBlob(kept.manifest().value().layers().get(0).digest())).isTrue();
    }

    @Test
    void gc_whileASessionIsOpen_removesNothing() {
        LocalStore store = new LocalStore(root);
        RawManifest m = image(store, "in-flight");
        try (LocalStore.Session s = store.session()) {
            assertThat(new LocalStore(root).gc()).isEqualTo(-1);
        }
        assertThat(store.hasBlob(m.digest())).isTrue();
        assertThat(store.gc()).isEqualTo(3);
    }

    @Test
    void putImage_concurrentWriters_loseNoName() throws Exception {
        LocalStore store = new LocalStore(root);
        RawManifest m = image(store, "c");
        ImageRecord r = store.recordFor("docker.io/library/c:0", m, null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                // a new LocalStore each time, as separate kiln processes would have
                fs.add(pool.submit(() -> new LocalStore(root).putImage(r.withName("docker.io/library/c:" + n))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(store.images()).hasSize(40);
    }

    @Test
    void importTree_copiesManifestConfigAndLayersByteForByte() throws Exception {
        LocalStore from = new LocalStore(root.resolve("a"));
        LocalStore to = new LocalStore(root.resolve("b"));
        RawManifest m = image(from, "tree");
        to.importTree(from, m.descriptor(), false);
        assertThat(to.readBlob(m.digest())).isEqualTo(m.bytes());
        Digest layer = m.manifest().value().layers().get(0).digest();
        assertThat(to.readBlob(layer)).isEqualTo(from.readBlob(layer));
    }

    // Issue 11, finding 6: kiln's own directories are the user's alone.

    @Test
    void privateDirs_newStoreIs0700_andAnOld0755StoreBecomes0700() throws Exception {
        LocalStore fresh = new LocalStore(root.resolve("fresh"));
        fresh.putBytes(bytes("x"), null, "x");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("fresh")))).isEqualTo("rwx------");

        Path old = Files.createDirectories(root.resolve("old"));
        Files.setPosixFilePermissions(old, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        new LocalStore(old).putBytes(bytes("x"), null, "x");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(old)))
                .isEqualTo("rwx------");
    }

    @Test
    void privateDirs_aPlantedSymlinkOrAnotherUsersDir_isRefused() throws Exception {
        Path target = Files.createDirectories(root.resolve("attacker"));
        Path link = Files.createSymbolicLink(root.resolve("kiln-1000"), target);
        assertThatThrownBy(() -> PrivateDirs.ensure(link)).hasMessageContaining("symbolic link");

        org.junit.jupiter.api.Assumptions.assumeTrue(dev.kiln.runtime.linux.Syscalls.getuid() == 0,
                "giving a directory to another user needs root (the tests run as root in CI)");
        Path theirs = Files.createDirectories(root.resolve("kiln-1001"));
        Files.setAttribute(theirs, "unix:uid", 4242);
        assertThatThrownBy(() -> PrivateDirs.ensure(theirs)).hasMessageContaining("uid 4242");
        Path mine = PrivateDirs.ensure(root.resolve("kiln-0"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)))
                .isEqualTo("rwx------");
    }
}
