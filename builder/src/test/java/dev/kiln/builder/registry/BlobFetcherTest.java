package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.MediaType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobFetcherTest {
    @TempDir Path root;

    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(10), Duration.ofSeconds(30), waits::add);
    private final byte[] content = randomBytes(300_000);
    private final Digest digest = Digest.sha256(content);
    private final Descriptor blob = Descriptor.of(MediaType.OCI_LAYER_GZIP, digest, content.length);
    private final String path = "/v2/library/busybox/blobs/" + digest;

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    private LocalStore store() {
        return new LocalStore(root);
    }

    private void fetch(FakeServer s, LocalStore store) {
        HttpTransport t = new HttpTransport(HttpTransport.defaultClient(), retry);
        RegistryClient client = new RegistryClient(s.host(), URI.create(s.url()), Credentials.ANONYMOUS, t,
                Clock.systemUTC());
        new BlobFetcher(client, store, retry, e -> {}).fetch("library/busybox", blob);
    }

    private long tempFiles() throws Exception {
        Path tmp = root.resolve("tmp");
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }

    @Test
    void fetch_connectionResetMidBlob_resumesWithRangeAndStoresVerifiedBlob() throws Exception {
        int cut = 100_000;
        try (FakeServer s = new FakeServer((ex, n) -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range == null) {
                FakeServer.sendTruncated(ex, content, cut);
            } else {
                long from = Long.parseLong(range.replace("bytes=", "").replace("-", ""));
                ex.getResponseHeaders().set("Content-Range",
                        "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                FakeServer.send(ex, 206, "application/octet-stream",
                        Arrays.copyOfRange(content, (int) from, content.length));
            }
        })) {
            LocalStore store = store();
            fetch(s, store);
            assertThat(store.readBlob(digest)).isEqualTo(content);
            assertThat(s.seen).hasSize(2);
            assertThat(s.seen.get(0).path()).isEqualTo(path);
            String range = s.seen.get(1).header("Range");
            assertThat(range).startsWith("bytes=").endsWith("-");
            assertThat(Long.parseLong(range.substring(6, range.length() - 1))).isPositive().isLessThanOrEqualTo(cut);
            assertThat(tempFiles()).isZero();
        }
    }

    @Test
    void fetch_resetAndServerIgnoresRange_startsOverAndStillVerifies() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                FakeServer.sendTruncated(ex, content, 50_000);
            } else {
                FakeServer.send(ex, 200, "application/octet-stream", content);
            }
        })) {
            LocalStore store = store();
            fetch(s, store);
            assertThat(store.readBlob(digest)).isEqualTo(content);
        }
    }

    @Test
    void fetch_500Then200_endsInVerifiedBlob() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                FakeServer.send(ex, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"try later\"}]}");
            } else {
                FakeServer.send(ex, 200, "application/octet-stream", content);
            }
        })) {
            LocalStore store = store();
            fetch(s, store);
            assertThat(store.readBlob(digest)).isEqualTo(content);
            assertThat(s.seen).hasSize(2);
        }
    }

    @Test
    void fetch_429WithRetryAfter_waitsThenEndsInVerifiedBlob() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                ex.getResponseHeaders().set("Retry-After", "2");
                FakeServer.send(ex, 429, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow\"}]}");
            } else {
                FakeServer.send(ex, 200, "application/octet-stream", content);
            }
        })) {
            LocalStore store = store();
            fetch(s, store);
            assertThat(store.readBlob(digest)).isEqualTo(content);
            assertThat(waits).containsExactly(Duration.ofSeconds(2));
        }
    }

    @Test
    void fetch_bytesDoNotMatchDigest_failsNamingBothDigestsAndStoresNothing() throws Exception {
        byte[] evil = content.clone();
        evil[1234] ^= 1;
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "application/octet-stream", evil))) {
            LocalStore store = store();
            assertThatThrownBy(() -> fetch(s, store))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining(digest.toString())
                    .hasMessageContaining(Digest.sha256(evil).toString());
            assertThat(store.hasBlob(digest)).isFalse();
            assertThat(store.hasBlob(Digest.sha256(evil))).isFalse();
            assertThat(tempFiles()).isZero();
        }
    }

    @Test
    void fetch_blobLongerThanAnnounced_isRejected() throws Exception {
        byte[] longer = Arrays.copyOf(content, content.length + 10);
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "application/octet-stream", longer))) {
            LocalStore store = store();
            assertThatThrownBy(() -> fetch(s, store)).isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining("size mismatch");
            assertThat(store.hasBlob(digest)).isFalse();
        }
    }

    @Test
    void fetch_alwaysReset_givesUpWithRetryableError() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.sendTruncated(ex, content, 10))) {
            LocalStore store = store();
            assertThatThrownBy(() -> fetch(s, store))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("connection broke")
                    .satisfies(e -> assertThat(((RegistryException) e).retryable()).isTrue());
            assertThat(store.hasBlob(digest)).isFalse();
        }
    }

    @Test
    void fetch_blobAlreadyStored_makesNoRequest() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 500, "{}"))) {
            LocalStore store = store();
            store.putBytes(content, digest, "test");
            fetch(s, store);
            assertThat(s.seen).isEmpty();
        }
    }
}
