package dev.kiln.builder.engine;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.FromInstruction;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.copy.CopyPlanner;
import dev.kiln.builder.engine.copy.CopySource;
import dev.kiln.builder.engine.copy.HttpDownloader;
import dev.kiln.builder.engine.mount.CacheMounts;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Stage;
import dev.kiln.builder.registry.StallGuard;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.RootfsExtractor;
import dev.kiln.builder.snapshot.Snapshotter;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Threads;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layout.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link BuildPlan}: each stage once its dependencies are built (independent stages in
 * parallel), then writes the target stage's image (with {@code --label}s) into the blob store.
 * Scratch files live under {@code scratch} and are removed at the end. The first stage that fails
 * fails the build; a build that fails or is interrupted interrupts its stages still running and
 * returns once they have stopped (see {@link #STOP_WAIT}), so that the caller can start another
 * build or remove the store without a thread of this one still writing there.
 */
public final class Builder {
    private static final System.Logger LOG = System.getLogger(Builder.class.getName());
    /**
     * How long the end of a build waits for its interrupted stages to stop. They stop within
     * moments (a pull drops its downloads and extractions, a RUN its container), but a pull waits
     * up to {@link StallGuard#IDLE} for a download stuck in a stalled read: twice that, so the
     * stages' own waits end first. A stage still running after it (stuck in something that ignores
     * interrupts) is logged and left behind rather than keeping the caller forever.
     */
    static final Duration STOP_WAIT = StallGuard.IDLE.multipliedBy(2);
    private final BlobStore blobs;
    private final BuildCache cache;
    private final RunExecutor runs;
    private final ImageSource images;
    private final BuildListener listener;
    private final BuildOptions options;
    private final Path scratchRoot;
    private final HttpDownloader downloader;
    private StoreLayout store;
    private CacheMounts cacheMounts;

    public Builder(BlobStore blobs, BuildCache cache, RunExecutor runs, ImageSource images, BuildListener listener,
            BuildOptions options, Path scratchRoot) {
        this.blobs = blobs;
        this.cache = cache;
        this.runs = runs;
        this.images = images;
        this.listener = listener;
        this.options = options;
        this.scratchRoot = scratchRoot;
        this.downloader = new HttpDownloader(scratchRoot);
    }

    /** Keeps layer listings and the directories of {@code RUN --mount=type=cache} in {@code store} between builds. */
    public Builder withStore(StoreLayout store) {
        this.store = store;
        this.cacheMounts = new CacheMounts(store.cacheMounts());
        return this;
    }

    /** Builds {@code plan} against {@code context}; the image's blobs are in the blob store afterwards. */
    public BuiltImage build(BuildPlan plan, PlanOptions planOptions, BuildContext context) throws InterruptedException {
        Path scratch;
        try {
            scratch = Files.createTempDirectory(Files.createDirectories(scratchRoot), "build-");
        } catch (IOException e) {
            throw new KilnException("cannot create scratch space in " + scratchRoot + ": " + e.getMessage(), e);
        }
        Threads.Owned threads = Threads.owned("kiln-stage");
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), threads);
        Map<Integer, CompletableFuture<StageResult>> futures = new LinkedHashMap<>();
        try {
            BuildServices services = new BuildServices(blobs, new LayerFiles(blobs, store), new Snapshotter(blobs),
                    cache, runs, images, listener, options, context, scratch, downloader, cacheMounts, new AtomicLong());
            VariableScope global = globalScope(plan, planOptions);
            Map<Integer, StageResult> done = new ConcurrentHashMap<>();
            Map<String, Stage> byName = new HashMap<>();
            for (Stage st : plan.stages()) {
                st.stageName().ifPresent(n -> byName.put(n, st));
                byName.put(Integer.toString(st.index()), st);
            }
            StageExecutor executor = new StageExecutor(services,
                    (label, from) -> copySource(label, from, byName, done, services));
            CompletableFuture<StageResult> firstFailure = new CompletableFuture<>();
            for (Stage stage : plan.stages()) {
                CompletableFuture<?>[] deps = stage.dependsOn().stream().map(futures::get).toArray(CompletableFuture[]::new);
                CompletableFuture<StageResult> f = CompletableFuture.allOf(deps).thenApplyAsync(v -> {
                    try {
                        StageResult r = executor.execute(stage, global, done);
                        done.put(stage.index(), r);
                        return r;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CompletionException(new KilnException("build interrupted", e));
                    }
                }, pool);
                f.whenComplete((r, e) -> {
                    if (e != null) {
                        firstFailure.completeExceptionally(e);
                    }
                });
                futures.put(stage.index(), f);
            }
            // a failed stage fails the build at once, not when the stages beside it are done
            StageResult target = await(futures.get(plan.target().index()).applyToEither(firstFailure, r -> r));
            ImageConfig config = target.config();
            if (!options.labels().isEmpty()) {
                Map<String, String> labels = new LinkedHashMap<>(config.config().labels());
                labels.putAll(options.labels());
                config = config.withConfig(config.config().withLabels(labels));
            }
            config = config.withCreated(createdOf(config, services));
            return ImageAssembler.assemble(config, target.layers(), blobs);
        } finally {
            stop(pool, threads, plan, futures);
            downloader.close();
            FileTrees.deleteQuietly(scratch);
        }
    }

    /**
     * Interrupts the stages still running (none after a success) and waits up to {@link #STOP_WAIT}
     * for them to end, keeping the caller's interrupt.
     */
    private static void stop(ExecutorService pool, Threads.Owned threads, BuildPlan plan,
            Map<Integer, CompletableFuture<StageResult>> futures) {
        if (!Threads.stopAndJoin(pool, threads, STOP_WAIT)) {
            List<String> running = plan.stages().stream()
                    .filter(st -> futures.containsKey(st.index()) && !futures.get(st.index()).isDone())
                    .map(Stage::label).toList();
            LOG.log(System.Logger.Level.WARNING, "stages {0} still run {1} s after their build ended; "
                    + "they may still write in the store", running, STOP_WAIT.toSeconds());
        }
    }

    /** The image's {@code created}: SOURCE_DATE_EPOCH, else the time of its last history entry. */
    private static String createdOf(ImageConfig config, BuildServices s) {
        if (s.options().sourceDateEpoch() != null || config.history().isEmpty()) {
            return s.now();
        }
        String last = config.history().get(config.history().size() - 1).created();
        return last != null ? last : s.now();
    }

    private static VariableScope globalScope(BuildPlan plan, PlanOptions planOptions) {
        VariableScope global = VariableScope.global(planOptions.buildArgs(), planOptions.predefinedArgs(),
                plan.dockerfile().lexer());
        for (Instruction in : plan.dockerfile().instructions()) {
            if (in instanceof FromInstruction) {
                break;
            }
            if (in instanceof ArgInstruction a) {
                global.declare(a);
            }
        }
        return global;
    }

    private CopySource copySource(String label, String from, Map<String, Stage> byName, Map<Integer, StageResult> done,
            BuildServices s) {
        Stage stage = byName.get(from.toLowerCase(Locale.ROOT));
        if (stage != null) {
            StageResult r = done.get(stage.index());
            if (r == null) {
                throw new KilnException("stage " + from + " is not built yet", null, null);
            }
            return CopySource.lazy("stage:" + r.key().hex(), () -> flatten(r.layers(), s));
        }
        BaseImage image = images.resolve(from, options.platform(),
                e -> listener.on(new BuildEvent.Transfer(label, e)));
        return CopySource.lazy(image.cacheIdentity(), () -> flatten(image.layers(), s));
    }

    private BuildContext flatten(List<dev.kiln.builder.snapshot.LayerBlob> layers, BuildServices s) {
        Path dir = s.newDir("from");
        try {
            RootfsExtractor.extract(layers, blobs, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildContext(dir, IgnoreMatcher.empty(), s.files().view(layers));
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new KilnException("build failed: " + c, c);
        }
    }

    /** The stages a plan builds, for progress totals. */
    public static List<String> stageLabels(BuildPlan plan) {
        return plan.stages().stream().map(Stage::label).toList();
    }
}
