package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePusherTest {
    @TempDir Path root;

    private final Registries registries = new Registries(RegistryConfig.DEFAULT,
            new CredentialStore(new AuthEnvironment(Map.of(), Path.of("/nonexistent"))),
            new HttpTransport(HttpTransport.defaultClient(), new RetryPolicy(2, Duration.ZERO, Duration.ZERO, d -> {})),
            Clock.systemUTC());

    /** An image of a config and one 1000-byte layer, in a store. */
    private RawManifest image(LocalStore store) {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[1000];
        new Random(7).nextBytes(layer);
        Digest c = store.putBytes(config, null, "config");
        Digest l = store.putBytes(layer, null, "layer");
        byte[] m = Json.write(Manifest.of(MediaType.DOCKER_MANIFEST, Descriptor.of(MediaType.DOCKER_CONFIG, c, config.length),
                List.of(Descriptor.of(MediaType.DOCKER_LAYER_GZIP, l, layer.length))));
        store.putBytes(m, null, "manifest");
        return RawManifest.of(m, MediaType.DOCKER_MANIFEST);
    }

    private ImagePusher pusher(LocalStore store, int chunk) {
        return new ImagePusher(new TransferSettings(registries, e -> {}, 2, chunk), store);
    }

    @Test
    void push_smallBlobs_headThenMonolithicPutThenManifestWithItsMediaType() throws Exception {
        try (FakeRegistry reg = new FakeRegistry()) {
            LocalStore store = new LocalStore(root);
            RawManifest m = image(store);
            Digest pushed = pusher(store, 1 << 20).push(m, Reference.parse(reg.host() + "/team/app:1"), null);
            assertThat(pushed).isEqualTo(m.digest());
            assertThat(reg.count("HEAD", "/blobs/")).isEqualTo(2);
            assertThat(reg.count("POST", "/blobs/uploads/")).isEqualTo(2);
            assertThat(reg.count("PATCH", "/blobs/uploads/")).isZero();
            assertThat(reg.blobs.get("team/app")).hasSize(2);
            String[] stored = reg.manifests.get("team/app").get("1");
            assertThat(stored[0]).isEqualTo(MediaType.DOCKER_MANIFEST.value());
            assertThat(stored[1].getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(m.bytes());
        }
    }

    @Test
    void push_bigBlob_usesContiguousPatchChunks() throws Exception {
        try (FakeRegistry reg = new FakeRegistry()) {
            LocalStore store = new LocalStore(root);
            RawManifest m = image(store);
            pusher(store, 300).push(m, Reference.parse(reg.host() + "/team/app:chunked"), null);
            // the 1000-byte layer in 300-byte chunks: 4 PATCHes; the small config goes in one PUT
            assertThat(reg.count("PATCH", "/blobs/uploads/")).isEqualTo(4);
            List<String> ranges = new ArrayList<>();
            reg.server.seen.stream().filter(s -> s.method().equals("PATCH")).forEach(s -> ranges.add(s.header("Content-Range")));
            assertThat(ranges).containsExactly("0-299", "300-599", "600-899", "900-999");
            assertThat(reg.blobs.get("team/app")).hasSize(2);
        }
    }

    @Test
    void push_blobsAlreadyThere_onlyHeadsAndManifest() throws Exception {
        try (FakeRegistry reg = new FakeRegistry()) {
            LocalStore store = new LocalStore(root);
            RawManifest m = image(store);
            Reference dest = Reference.parse(reg.host() + "/team/app:1");
            pusher(store, 1 << 20).push(m, dest, null);
            reg.server.seen.clear();
            pusher(store, 1 << 20).push(m, dest.withTag("2"), null);
            assertThat(reg.count("HEAD", "/blobs/")).isEqualTo(2);
            assertThat(reg.count("POST", "/blobs/uploads/")).isZero();
            assertThat(reg.manifests.get("team/app")).containsKey("2");
        }
    }

    @Test
    void push_toOtherRepoOfSameRegistry_mountsInsteadOfUploading() throws Exception {
        try (FakeRegistry reg = new FakeRegistry()) {
            LocalStore store = new LocalStore(root);
            RawManifest m = image(store);
            Reference first = Reference.parse(reg.host() + "/team/app:1");
            pusher(store, 1 << 20).push(m, first, null);
            reg.server.seen.clear();
            pusher(store, 1 << 20).push(m, Reference.parse(reg.host() + "/other/app:1"), first);
            assertThat(reg.server.seen.stream().filter(s -> s.method().equals("POST")).map(FakeServer.Seen::query))
                    .hasSize(2).allSatisfy(q -> assertThat(q).contains("mount=sha256").contains("from=team%2Fapp"));
            assertThat(reg.count("PUT", "/blobs/uploads/")).isZero();
            assertThat(reg.blobs.get("other/app").keySet()).isEqualTo(reg.blobs.get("team/app").keySet());
        }
    }

    @Test
    void pull_mirrorWithoutTheImage_fallsBackToTheRegistry() throws Exception {
        try (FakeRegistry mirror = new FakeRegistry(); FakeRegistry upstream = new FakeRegistry()) {
            LocalStore store = new LocalStore(root.resolve("a"));
            RawManifest m = image(store);
            Reference ref = Reference.parse(upstream.host() + "/team/app:1");
            pusher(store, 1 << 20).push(m, ref, null);
            RegistryConfig config = RegistryConfig.load(null, List.of(upstream.host() + "=" + mirror.host()), List.of());
            Registries viaMirror = new Registries(config,
                    new CredentialStore(new AuthEnvironment(Map.of(), Path.of("/nonexistent"))),
                    new HttpTransport(HttpTransport.defaultClient(), new RetryPolicy(2, Duration.ZERO, Duration.ZERO, d -> {})),
                    Clock.systemUTC());
            ImagePuller.Pulled pulled = new ImagePuller(new TransferSettings(viaMirror, e -> {}, 2, 0), new LocalStore(root.resolve("b")))
                    .pull(ref, Platform.of("linux", "amd64", null));
            assertThat(mirror.count("GET", "/team/app/manifests/1")).isEqualTo(1);
            assertThat(pulled.endpoint()).isEqualTo(upstream.host());
            assertThat(pulled.image().manifest()).isEqualTo(m.digest());
        }
    }

    @Test
    void pushThenPull_roundTripKeepsTheManifestDigest() throws Exception {
        try (FakeRegistry reg = new FakeRegistry()) {
            LocalStore store = new LocalStore(root.resolve("a"));
            RawManifest m = image(store);
            Reference dest = Reference.parse(reg.host() + "/team/app:rt");
            pusher(store, 1 << 20).push(m, dest, null);
            LocalStore other = new LocalStore(root.resolve("b"));
            ImagePuller.Pulled pulled = new ImagePuller(new TransferSettings(registries, e -> {}, 2, 0), other)
                    .pull(dest, Platform.of("linux", "amd64", null));
            assertThat(pulled.image().manifest()).isEqualTo(m.digest());
            assertThat(Set.copyOf(other.images())).hasSize(1);
        }
    }
}
