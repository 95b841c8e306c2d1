package dev.kiln.oci.layout;

import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirBlobStoreTest {
    @TempDir
    Path root;

    @Test
    void empty_isTheDigestOfNoBytes() {
        assertThat(DirBlobStore.EMPTY).isEqualTo(Digest.sha256(new byte[0]));
    }

    @Test
    void has_emptyBlobOfTheEmptyDigest_isKept_butAnEmptyFileForAnotherDigestIsDamaged(@TempDir Path dir) throws Exception {
        DirBlobStore store = new DirBlobStore(dir, true);
        Digest empty = store.put(new byte[0]);
        Path other = store.file(Digest.sha256("x".getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(other.getParent());
        Files.createFile(other);

        assertThat(store.has(empty)).isTrue();
        assertThat(store.has(Digest.sha256("x".getBytes(StandardCharsets.UTF_8)))).isFalse();
        assertThat(other).doesNotExist();
    }

    @Test
    void put_thenOpen_returnsSameBytesUnderDigestPath() throws Exception {
        DirBlobStore store = new DirBlobStore(root);
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = store.put(data);
        assertThat(d).isEqualTo(Digest.sha256(data));
        assertThat(root.resolve("sha256").resolve(d.hex())).hasBinaryContent(data);
        assertThat(store.readAll(d)).isEqualTo(data);
        assertThat(store.size(d)).isEqualTo(5);
        assertThat(root.resolve(".tmp")).doesNotExist();
    }

    @Test
    void put_wrongDigest_refusedAndNothingStored() throws Exception {
        DirBlobStore store = new DirBlobStore(root);
        byte[] data = "evil".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.sha256("good".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(data), claimed, data.length))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(claimed.toString())
                .hasMessageContaining(Digest.sha256(data).toString());
        assertThat(store.has(claimed)).isFalse();
        assertThat(store.has(Digest.sha256(data))).isFalse();
        try (var files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void put_wrongSize_refused() {
        DirBlobStore store = new DirBlobStore(root);
        byte[] data = "abc".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(data), Digest.sha256(data), 4))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("expected 4 bytes, got 3");
        assertThat(store.has(Digest.sha256(data))).isFalse();
    }

    @Test
    void put_sameBlobConcurrently_allSucceedOneFile() throws Exception {
        DirBlobStore store = new DirBlobStore(root);
        byte[] data = new byte[1 << 20];
        new java.util.Random(1).nextBytes(data);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Digest>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> store.put(new ByteArrayInputStream(data), Digest.sha256(data),
                        data.length)));
            }
            for (Future<Digest> f : results) {
                assertThat(f.get()).isEqualTo(Digest.sha256(data));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.readAll(Digest.sha256(data))).isEqualTo(data);
        try (var files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(1);
        }
    }

    @Test
    void open_missing_saysWhichBlob() {
        DirBlobStore store = new DirBlobStore(root);
        Digest d = Digest.sha256(new byte[0]);
        assertThatThrownBy(() -> store.open(d)).isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining(d.toString());
    }

    @Test
    void putFile_linksVerifiedFile() throws Exception {
        DirBlobStore store = new DirBlobStore(root.resolve("store"));
        Path file = Files.write(root.resolve("f"), "content".getBytes(StandardCharsets.UTF_8));
        Digest d = store.putFile(file, null);
        assertThat(store.readAll(d)).isEqualTo(Files.readAllBytes(file));
        Digest wrong = Digest.sha256(new byte[0]);
        assertThatThrownBy(() -> store.putFile(file, wrong)).isInstanceOf(DigestMismatchException.class);
        assertThat(store.has(wrong)).isFalse();
    }
}
