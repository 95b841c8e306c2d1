package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.engine.run.RunRequest;
import dev.kiln.builder.engine.run.RuntimeRunExecutor;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.CredentialStore;
import dev.kiln.builder.registry.FakeRegistry;
import dev.kiln.builder.registry.HttpTransport;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.LayerTap;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.RegistryConfig;
import dev.kiln.builder.registry.RegistryException;
import dev.kiln.builder.registry.RetryPolicy;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.snapshot.LayerDirs;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Image;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import dev.kiln.oci.layer.DiffIdMismatchException;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.runtime.Isolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base layer extracted while the pull downloads it (the runtime's {@link LayerTap}): kept only
 * once the blob and its diff ID check out; a registry that lies or breaks off leaves no extracted
 * tree, no staging directory and no listing, and the error is the one a pull always gave.
 */
class ExtractWhilePullingTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64", null);
    private static final String REPO = "library/python";

    @TempDir Path root;
    FakeRegistry registry;
    LocalStore store;
    Image image;

    @BeforeEach
    void push() throws Exception {
        registry = new FakeRegistry();
        store = new LocalStore(root.resolve("store"));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("bin/", "");
        files.put("bin/python", "#!fake");
        files.put("etc/", "");
        files.put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        for (int i = 0; i < 200; i++) {
            files.put("usr/lib/f" + i, "content of file " + i + "\n".repeat(i));
        }
        files.put("usr/", "");
        files.put("usr/lib/", "");
        push(TestImages.ociImage(new LocalStore(root.resolve("origin")), AMD64, files));
    }

    private void push(Image pushed) {
        image = pushed;
        new ImagePusher(new TransferSettings(registries(RegistryConfig.DEFAULT), e -> {}, 2, 0),
                new LocalStore(root.resolve("origin")))
                .push(RawManifest.of(pushed.manifest().bytes(), MediaType.OCI_MANIFEST),
                        Reference.parse(registry.host() + "/" + REPO + ":3.9-slim"), null);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static Registries registries(RegistryConfig config) {
        return new Registries(config, new CredentialStore(new AuthEnvironment(Map.of(), Path.of("/nonexistent"))),
                new HttpTransport(HttpTransport.defaultClient(), new RetryPolicy(1, Duration.ZERO, Duration.ZERO, d -> {})),
                Clock.systemUTC());
    }

    private BaseImage pull() {
        return pull(false);
    }

    private BaseImage pull(boolean always) {
        StoreImageSource source = new StoreImageSource(store,
                new ImagePuller(new TransferSettings(registries(RegistryConfig.DEFAULT), e -> {}, 2, 0), store), always);
        LayerTap tap = new RuntimeRunExecutor(Isolation.AUTO, store.layout(), store).layerTap();
        return source.resolve(registry.host() + "/" + REPO + ":3.9-slim", AMD64, e -> {}, tap);
    }

    private Descriptor layer() {
        return image.manifest().value().layers().get(0);
    }

    private Digest diffId() {
        return image.config().value().rootfs().diffIds().get(0);
    }

    /** What the store's layer directory holds: extracted trees, listings, staging directories. */
    private List<String> layerDirEntries() throws IOException {
        Path layers = store.layout().layers();
        if (!Files.isDirectory(layers)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(layers)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void pull_withTheRuntimesTap_leavesTheLayerExtractedAndListed() throws IOException {
        BaseImage base = pull();

        Path dir = store.layout().layerDir(diffId());
        assertThat(dir.resolve("bin/python")).hasContent("#!fake");
        assertThat(dir.resolve("usr/lib/f199")).isRegularFile();
        assertThat(layerDirEntries()).containsExactly(diffId().hex(), diffId().hex() + ".listing");
        assertThat(new LayerDirs(store.layout(), store).dir(base.layers().get(0))).isEqualTo(dir);
    }

    @Test
    void pull_blobBytesNotItsDigest_failsAndLeavesNoExtractedTreeNorStaging() throws IOException {
        // the same length and the same tar inside (a gzip's MTIME field is not checked when
        // inflating), so the extraction itself succeeds and only the blob's digest tells
        byte[] other = new LocalStore(root.resolve("origin")).readBlob(layer().digest());
        other[4] ^= 1;
        registry.serveBlob(REPO, layer().digest(), other);

        assertThatThrownBy(this::pull).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(layer().digest().toString());

        assertThat(layerDirEntries()).isEmpty();
        assertThat(store.hasBlob(layer().digest())).isFalse();
    }

    @Test
    void pull_configBlobNotItsDigest_failsAndLeavesNoExtractedTreeNorStaging() throws IOException {
        Descriptor config = image.manifest().value().config();
        byte[] other = new LocalStore(root.resolve("origin")).readBlob(config.digest());
        other[other.length - 2] ^= 1;
        registry.serveBlob(REPO, config.digest(), other);

        assertThatThrownBy(this::pull).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(config.digest().toString());

        assertThat(layerDirEntries()).as("the layer's download, finished or not, abandoned its extraction").isEmpty();
    }

    @Test
    void pull_bodyAlwaysCutMidStream_failsAndLeavesNoExtractedTreeNorStaging() throws IOException {
        registry.cutBlob(layer().digest(), (int) layer().size() / 2, Integer.MAX_VALUE);

        assertThatThrownBy(this::pull).isInstanceOf(RegistryException.class).hasMessageContaining("connection broke");

        assertThat(layerDirEntries()).isEmpty();
        assertThat(store.hasBlob(layer().digest())).isFalse();
    }

    @Test
    void pull_bodyCutOnceAndSentAgainFromTheStart_storesTheBlobAndExtractsItOnlyWhenUsed() throws IOException {
        registry.cutBlob(layer().digest(), (int) layer().size() / 2, 1);

        BaseImage base = pull();

        assertThat(store.hasBlob(layer().digest())).isTrue();
        assertThat(layerDirEntries()).as("the extraction saw bytes that came again: abandoned").isEmpty();
        Path dir = new LayerDirs(store.layout(), store).dir(base.layers().get(0));
        assertThat(dir.resolve("bin/python")).hasContent("#!fake");
    }

    @Test
    void pull_configClaimsAnotherDiffId_keepsNoTreeAndTheRunReportsTheMismatch() throws Exception {
        Digest lie = Digest.sha256("not this layer".getBytes());
        push(TestImages.ociImage(new LocalStore(root.resolve("origin")), AMD64, List.of(layer()), List.of(lie)));

        BaseImage base = pull();

        assertThat(layerDirEntries()).isEmpty();
        LayerBlob claimed = base.layers().get(0);
        assertThat(claimed.diffId()).isEqualTo(lie);
        assertThatThrownBy(() -> new LayerDirs(store.layout(), store).dir(claimed))
                .isInstanceOf(DiffIdMismatchException.class);
        assertThat(layerDirEntries()).isEmpty();
    }

    @Test
    void pull_layerAlreadyStored_isNotExtractedByThePull() throws IOException {
        pull();
        Files.walk(store.layout().layers()).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());

        pull(true); // the manifest again, but every blob is in the store: nothing downloaded, nothing extracted

        assertThat(layerDirEntries()).isEmpty();
    }

    /** Runs {@code pull} on a thread of its own; what it threw, or null. */
    private static Thread pulling(Runnable pull, java.util.concurrent.atomic.AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                pull.run();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "test-pull");
        t.start();
        return t;
    }

    /** An interrupted pull (a build cancelled) is not a mirror's failure: it tries no other registry. */
    @Test
    void pull_interruptedWhileAMirrorSendsTheManifest_triesNoOtherRegistry() throws Exception {
        try (FakeRegistry upstream = new FakeRegistry()) {
            java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            registry.holdManifest("3.9-slim", 10, sent, release);
            RegistryConfig mirrored = new RegistryConfig(Map.of(upstream.host(), List.of(registry.host())), java.util.Set.of());
            List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread puller = pulling(() -> new ImagePuller(new TransferSettings(registries(mirrored), e -> {
                if (e instanceof dev.kiln.builder.progress.ProgressEvent.Message m) {
                    messages.add(m.text());
                }
            }, 2, 0), store).pull(Reference.parse(upstream.host() + "/" + REPO + ":3.9-slim"), AMD64), failed);

            assertThat(sent.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            puller.interrupt();
            puller.join(60_000);
            release.countDown();

            assertThat(puller.isAlive()).isFalse();
            assertThat(failed.get()).isInstanceOf(RegistryException.class).hasMessageContaining("interrupted");
            assertThat(messages).noneMatch(m -> m.contains("trying"));
            assertThat(upstream.count("GET", "/manifests/")).isZero();
        }
    }

    /** A pull interrupted mid-download returns only once its download and extraction are gone. */
    @Test
    void pull_interruptedWhileTheLayerDownloads_leavesNoStagingDirWhenItReturns() throws Exception {
        Ended ended = interruptedWhileTheLayerIsHalfSent(this::pull);

        assertThat(ended.failure()).isNotNull();
        assertThat(ended.threads()).isEmpty();
        assertThat(ended.layerDir()).isEmpty();
        assertThat(store.layout().layers().resolve(diffId().hex())).doesNotExist();
    }

    /**
     * A build of {@code dockerfile} against this test's registry and store, whose RUNs (a RUN of
     * the stage pulling the base is never reached here) run {@code runs}.
     */
    private BuiltImage build(String dockerfile, RunExecutor runs) throws Exception {
        StoreImageSource source = new StoreImageSource(store,
                new ImagePuller(new TransferSettings(registries(RegistryConfig.DEFAULT), e -> {}, 2, 0), store), false);
        LayerTap tap = new RuntimeRunExecutor(Isolation.AUTO, store.layout(), store).layerTap();
        RunExecutor withTap = new RunExecutor() {
            @Override
            public Result run(RunRequest request) throws InterruptedException {
                return runs.run(request);
            }

            @Override
            public LayerTap layerTap() {
                return tap;
            }
        };
        Path context = Files.createDirectories(root.resolve("context"));
        PlanOptions planOptions = PlanOptions.defaults().withBuildArgs(Map.of());
        BuildPlan plan = Planner.plan(Dockerfile.parse("Dockerfile", dockerfile), planOptions);
        return new Builder(store, new BuildCache(store.layout().cache()), withTap, source, e -> {},
                BuildOptions.defaults(AMD64), root.resolve("scratch")).withStore(store.layout())
                .build(plan, planOptions, new BuildContext(context, IgnoreMatcher.empty()));
    }

    /** Threads of a pull or build (stages, downloads, extractions) alive now and not in {@code before}. */
    private static List<String> kilnThreadsBeside(java.util.Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .map(Thread::getName)
                .filter(n -> List.of("kiln-stage", "kiln-pull", "kiln-layer-extract", "kiln-http-read").contains(n))
                .toList();
    }

    /** What a pull or build on a thread of its own left when it returned. */
    private record Ended(Throwable failure, List<String> threads, List<String> layerDir) {}

    /** Runs {@code work} (a pull, a build) on a thread of its own; what it left is recorded the moment it returns. */
    private Thread onItsOwnThread(java.util.concurrent.Callable<?> work,
            java.util.concurrent.atomic.AtomicReference<Ended> ended) {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Thread t = new Thread(() -> {
            Throwable failure = null;
            try {
                work.call();
            } catch (Throwable e) {
                failure = e;
            }
            try {
                ended.set(new Ended(failure, kilnThreadsBeside(before), layerDirEntries()));
            } catch (IOException e) {
                ended.set(new Ended(e, List.of(), List.of()));
            }
        }, "test-work");
        t.start();
        return t;
    }

    /**
     * An in-process caller that interrupts its build (a Maven build cancelled) gets control back
     * only once no thread of the build is left and the store holds no staging directory; on the
     * old Builder the build returned as soon as it had interrupted its stages.
     */
    @Test
    void build_interruptedWhileTheBaseLayerDownloads_returnsOnceNoThreadOfItIsLeftNorAStagingDir() throws Exception {
        String dockerfile = "FROM " + registry.host() + "/" + REPO + ":3.9-slim\nRUN true\n";
        Ended ended = interruptedWhileTheLayerIsHalfSent(() -> build(dockerfile, request -> new RunExecutor.Result(0)));

        assertThat(ended.failure()).isInstanceOf(InterruptedException.class);
        assertThat(ended.threads()).as("threads of the build alive when it returned").isEmpty();
        assertThat(ended.layerDir()).as("the layer directory when the build returned").isEmpty();
    }

    /**
     * Runs {@code work} on a thread of its own, interrupts it once the registry has sent half the
     * layer (and holds the rest), and returns what it left the moment it returned, before the
     * registry sends the rest.
     */
    private Ended interruptedWhileTheLayerIsHalfSent(java.util.concurrent.Callable<?> work) throws Exception {
        java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        registry.holdBlob(layer().digest(), (int) (layer().size() / 2), sent, release);
        java.util.concurrent.atomic.AtomicReference<Ended> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = onItsOwnThread(work, ended);

        assertThat(sent.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        worker.interrupt();
        worker.join(150_000);
        release.countDown();

        assertThat(worker.isAlive()).isFalse();
        return ended.get();
    }

    /**
     * A stage that fails fails the build at once, while the stage beside it still pulls (on the
     * old Builder the build waited for that pull, here until the registry's stall timed out),
     * and the build returns only once that pull is stopped and cleaned up.
     */
    @Test
    void build_aStageFailsWhileAnotherPulls_failsWithItsErrorOnceNoThreadOfTheBuildIsLeftNorAStagingDir()
            throws Exception {
        java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        registry.holdBlob(layer().digest(), (int) (layer().size() / 2), sent, release);
        java.util.concurrent.atomic.AtomicReference<Ended> ended = new java.util.concurrent.atomic.AtomicReference<>();
        String dockerfile = "FROM " + registry.host() + "/" + REPO + ":3.9-slim AS base\nRUN true\n"
                + "FROM scratch AS broken\nRUN fail\n"
                + "FROM scratch\nCOPY --from=base /bin/python /python\nCOPY --from=broken /x /x\n";
        Thread builder = onItsOwnThread(() -> build(dockerfile, request -> {
            sent.await(); // the other stage's layer is half sent, and held
            return new RunExecutor.Result(3);
        }), ended);

        builder.join(150_000);
        release.countDown();

        assertThat(builder.isAlive()).isFalse();
        assertThat(ended.get().failure()).isInstanceOf(KilnException.class).hasMessageContaining("fail")
                .hasMessageContaining("3");
        assertThat(ended.get().threads()).as("threads of the build alive when it returned").isEmpty();
        assertThat(ended.get().layerDir()).as("the layer directory when the build returned").isEmpty();
    }
}
