package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.CredentialStore;
import dev.kiln.builder.registry.FakeRegistry;
import dev.kiln.builder.registry.HttpTransport;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.RegistryConfig;
import dev.kiln.builder.registry.RetryPolicy;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Image;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.TestImages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Base images pulled by a build stay in the store under Docker's names, as {@code docker images} shows them. */
class StoreImageSourceTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64", null);

    @TempDir Path root;
    FakeRegistry mirror;
    RawManifest pushed;

    @BeforeEach
    void pushPythonToMirror() throws Exception {
        mirror = new FakeRegistry();
        LocalStore origin = new LocalStore(root.resolve("origin"));
        Image image = TestImages.ociImage(origin, AMD64, Map.of("bin/", "", "bin/python", "#!fake"));
        pushed = RawManifest.of(image.manifest().bytes(), MediaType.OCI_MANIFEST);
        new ImagePusher(new TransferSettings(registries(RegistryConfig.DEFAULT), e -> {}, 2, 0), origin)
                .push(pushed, Reference.parse(mirror.host() + "/library/python:3.9-slim"), null);
    }

    @AfterEach
    void stopMirror() {
        mirror.close();
    }

    private static Registries registries(RegistryConfig config) {
        return new Registries(config, new CredentialStore(new AuthEnvironment(Map.of(), Path.of("/nonexistent"))),
                new HttpTransport(HttpTransport.defaultClient(), new RetryPolicy(1, Duration.ZERO, Duration.ZERO, d -> {})),
                Clock.systemUTC());
    }

    private StoreImageSource source(LocalStore store) {
        RegistryConfig viaMirror = RegistryConfig.load(null, List.of("docker.io=" + mirror.host()), List.of());
        return new StoreImageSource(store, new ImagePuller(new TransferSettings(registries(viaMirror), e -> {}, 2, 0), store), false);
    }

    @Test
    void resolve_pulledThroughMirror_namedWithDockerHubNameAndReusedWithoutRegistry() {
        LocalStore store = new LocalStore(root.resolve("store"));
        BaseImage base = source(store).resolve("python:3.9-slim", AMD64);

        assertThat(store.images()).extracting(ImageRecord::name).containsExactly("docker.io/library/python:3.9-slim");
        assertThat(Reference.parse(store.images().get(0).name()).familiarName()).isEqualTo("python");
        assertThat(store.images().get(0).manifest()).isEqualTo(pushed.digest());
        long gets = mirror.count("GET", "/manifests/");
        assertThat(source(store).resolve("python:3.9-slim", AMD64).id()).isEqualTo(base.id());
        assertThat(mirror.count("GET", "/manifests/")).as("the second build uses the store").isEqualTo(gets);
    }

    @Test
    void resolve_byTagAndDigest_keptUntaggedUnderTheDigest() {
        LocalStore store = new LocalStore(root.resolve("store"));
        source(store).resolve("python:3.9-slim@" + pushed.digest(), AMD64);

        assertThat(store.images()).extracting(ImageRecord::name)
                .containsExactly("docker.io/library/python@" + pushed.digest());
        assertThat(Reference.parse(store.images().get(0).name()).tag()).isNull();
    }
}
