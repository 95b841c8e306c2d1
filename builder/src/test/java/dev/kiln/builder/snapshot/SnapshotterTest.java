package dev.kiln.builder.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.DirBlobStore;
import dev.kiln.runtime.OwnerTags;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.kiln.oci.layer.TarReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotterTest {
    @TempDir Path tmp;
    DirBlobStore store;
    Snapshotter snapshotter;

    @BeforeEach
    void setUp() throws IOException {
        store = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        snapshotter = new Snapshotter(store);
    }

    private Path tree() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(d.resolve("b/dir"));
        Files.writeString(d.resolve("b/dir/file.txt"), "hello");
        Files.setPosixFilePermissions(d.resolve("b/dir/file.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(d.resolve("a.txt"), "a");
        Files.createLink(d.resolve("b/hard"), d.resolve("a.txt"));
        Files.createSymbolicLink(d.resolve("b/link"), Path.of("../a.txt"));
        return d;
    }

    private static Map<String, TarArchiveEntry> entries(DirBlobStore store, LayerBlob blob) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (InputStream in = store.open(blob.descriptor().digest());
                TarArchiveInputStream tar = new TarReader(Compression.autoDecompress(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    @Test
    void snapshot_sortedEntries_parentsFirst_linksKept() throws IOException {
        LayerBlob blob = snapshotter.snapshot(tree(), SnapshotOptions.gzip());
        Map<String, TarArchiveEntry> e = entries(store, blob);
        assertThat(e.keySet()).containsExactly("a.txt", "b/", "b/dir/", "b/dir/file.txt", "b/hard", "b/link");
        assertThat(e.get("b/hard").isLink()).isTrue();
        assertThat(e.get("b/hard").getLinkName()).isEqualTo("a.txt");
        assertThat(e.get("b/link").isSymbolicLink()).isTrue();
        assertThat(e.get("b/link").getLinkName()).isEqualTo("../a.txt");
        assertThat(e.get("b/dir/file.txt").getMode() & 07777).isEqualTo(0750);
        assertThat(e.get("a.txt").getUserName()).isEmpty();
        assertThat(blob.descriptor().mediaType()).isEqualTo(MediaType.OCI_LAYER_GZIP);
    }

    @Test
    void snapshot_diffIdIsDigestOfUncompressedTar_blobIsStored() throws IOException {
        LayerBlob blob = snapshotter.snapshot(tree(), SnapshotOptions.gzip());
        assertThat(store.has(blob.descriptor().digest())).isTrue();
        assertThat(store.size(blob.descriptor().digest())).isEqualTo(blob.descriptor().size());
        DigestingOutputStream plain = DigestingOutputStream.nullSink();
        try (InputStream in = Compression.GZIP.decompress(store.open(blob.descriptor().digest()))) {
            in.transferTo(plain);
        }
        assertThat(plain.digest()).isEqualTo(blob.diffId());
    }

    @Test
    void snapshot_sameTreeTwice_sameDigests() throws IOException {
        Path d = tree();
        LayerBlob first = snapshotter.snapshot(d, SnapshotOptions.gzip());
        LayerBlob second = snapshotter.snapshot(d, SnapshotOptions.gzip());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void snapshot_clampTime_capsMtimes_andMakesNewFilesReproducible() throws IOException {
        Instant epoch = Instant.ofEpochSecond(1_700_000_000L);
        Path d = tree();
        SnapshotOptions opts = SnapshotOptions.gzip().withClampTime(epoch);
        LayerBlob first = snapshotter.snapshot(d, opts);
        Files.setLastModifiedTime(d.resolve("a.txt"), FileTime.from(Instant.now().plusSeconds(60)));
        LayerBlob second = snapshotter.snapshot(d, opts);
        assertThat(second.diffId()).isEqualTo(first.diffId());
        assertThat(entries(store, first).get("a.txt").getModTime().toInstant()).isEqualTo(epoch);
    }

    @Test
    void snapshot_ownerOverrides_areWrittenToHeaders() throws IOException {
        LayerBlob blob = snapshotter.snapshot(tree(), SnapshotOptions.gzip()
                .withOwners(Map.of("b/dir/file.txt", new Owner(1000, 1001))));
        TarArchiveEntry e = entries(store, blob).get("b/dir/file.txt");
        assertThat(e.getLongUserId()).isEqualTo(1000);
        assertThat(e.getLongGroupId()).isEqualTo(1001);
    }

    @Test
    void snapshot_ownerTags_becomeHeaderOwners_andStayOutOfTheLayer() throws IOException {
        Path d = tree();
        tag(d.resolve("a.txt"), OwnerTags.FILE, "1000:1001"); // b/hard is the same inode
        tag(d.resolve("b"), OwnerTags.linkTag("link".getBytes(StandardCharsets.UTF_8)), "33:34");
        tag(d.resolve("b/dir"), OwnerTags.FILE, "bad");
        Map<String, TarArchiveEntry> e = entries(store, snapshotter.snapshot(d, SnapshotOptions.gzip()
                .withReplacedOwners(p -> Optional.of(new Owner(7, 7)))));
        assertThat(List.of(owner(e.get("a.txt")), owner(e.get("b/hard")), owner(e.get("b/link"))))
                .containsExactly("1000:1001", "1000:1001", "33:34");
        assertThat(owner(e.get("b/dir/"))).as("a malformed tag is ignored").isEqualTo(owner(e.get("b/")));
        assertThat(owner(e.get("b/dir/file.txt"))).as("a new file replacing one below keeps its owner")
                .isEqualTo("7:7");
        e.values().forEach(t -> assertThat(t.getExtraPaxHeaders().keySet())
                .noneMatch(k -> k.contains("kiln")));
    }

    private static void tag(Path p, String name, String value) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        try {
            view.write(name.substring("user.".length()), ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            assumeTrue(false, "user xattrs are not supported in " + p + ": " + e.getMessage());
        }
    }

    private static String owner(TarArchiveEntry e) {
        return e.getLongUserId() + ":" + e.getLongGroupId();
    }

    @Test
    void snapshot_ownUidRecordedAsRoot_whenMapping() throws IOException {
        SnapshotOptions opts = new SnapshotOptions(Compression.GZIP, null, Map.of(), true, null);
        TarArchiveEntry e = entries(store, snapshotter.snapshot(tree(), opts)).get("a.txt");
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
    }

    @Test
    void snapshot_overlayWhiteoutAndOpaqueDir_becomeOciMarkers() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(d.resolve("etc/opaque"));
        Files.writeString(d.resolve("etc/opaque/new"), "n");
        Process mknod = new ProcessBuilder("mknod", d.resolve("etc/gone").toString(), "c", "0", "0")
                .redirectErrorStream(true).start();
        assumeTrue(mknod.waitFor() == 0, "mknod c 0 0 is not permitted here (needs root or a user namespace)");
        UserDefinedFileAttributeView view = Files.getFileAttributeView(d.resolve("etc/opaque"),
                UserDefinedFileAttributeView.class);
        try {
            view.write("overlay.opaque", ByteBuffer.wrap("y".getBytes(StandardCharsets.UTF_8)));
            view.write("overlay.origin", ByteBuffer.wrap(new byte[] {1}));
            view.write("keep", ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            assumeTrue(false, "user xattrs are not supported on " + d + ": " + e.getMessage());
        }
        Map<String, TarArchiveEntry> e = entries(store, snapshotter.snapshot(d, SnapshotOptions.gzip()));
        assertThat(e.keySet()).containsExactly("etc/", "etc/.wh.gone", "etc/opaque/", "etc/opaque/.wh..wh..opq",
                "etc/opaque/new");
        Map<String, String> pax = e.get("etc/opaque/").getExtraPaxHeaders();
        assertThat(pax).containsEntry("SCHILY.xattr.user.keep", "v");
        assertThat(pax.keySet()).noneMatch(k -> k.contains("overlay"));
    }

    @Test
    void snapshot_longNames_usePax() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("long"));
        String name = "x".repeat(120) + "/" + "y".repeat(120);
        Files.createDirectories(d.resolve(name).getParent());
        Files.writeString(d.resolve(name), "z");
        List<String> names = new ArrayList<>(entries(store, snapshotter.snapshot(d, SnapshotOptions.gzip())).keySet());
        assertThat(names).contains(name);
    }

    @Test
    void snapshot_uncompressed_blobDigestEqualsDiffId() throws IOException {
        LayerBlob blob = snapshotter.snapshot(tree(), SnapshotOptions.gzip().withCompression(Compression.NONE));
        Digest d = blob.descriptor().digest();
        assertThat(d).isEqualTo(blob.diffId());
        assertThat(blob.descriptor().mediaType()).isEqualTo(MediaType.OCI_LAYER);
    }
}
