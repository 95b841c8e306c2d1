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
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.RootfsExtractor;
import dev.kiln.builder.snapshot.Snapshotter;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layout.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Scratch files live under {@code scratch} and are removed at the end.
 */
public final class Builder {
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
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), r -> {
            Thread t = new Thread(r, "kiln-stage");
            t.setDaemon(true);
            return t;
        });
        try {
            BuildServices services = new BuildServices(blobs, new LayerFiles(blobs, store), new Snapshotter(blobs),
                    cache, runs, images, listener, options, context, scratch, downloader, cacheMounts, new AtomicLong());
            VariableScope global = globalScope(plan, planOptions);
            Map<Integer, CompletableFuture<StageResult>> futures = new LinkedHashMap<>();
            Map<Integer, StageResult> done = new ConcurrentHashMap<>();
            Map<String, Stage> byName = new HashMap<>();
            for (Stage st : plan.stages()) {
                st.stageName().ifPresent(n -> byName.put(n, st));
                byName.put(Integer.toString(st.index()), st);
            }
            StageExecutor executor = new StageExecutor(services,
                    (label, from) -> copySource(label, from, byName, done, services));
            for (Stage stage : plan.stages()) {
                CompletableFuture<?>[] deps = stage.dependsOn().stream().map(futures::get).toArray(CompletableFuture[]::new);
                futures.put(stage.index(), CompletableFuture.allOf(deps).thenApplyAsync(v -> {
                    try {
                        StageResult r = executor.execute(stage, global, done);
                        done.put(stage.index(), r);
                        return r;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CompletionException(new KilnException("build interrupted", e));
                    }
                }, pool));
            }
            StageResult target = await(futures.get(plan.target().index()));
            ImageConfig config = target.config();
            if (!options.labels().isEmpty()) {
                Map<String, String> labels = new LinkedHashMap<>(config.config().labels());
                labels.putAll(options.labels());
                config = config.withConfig(config.config().withLabels(labels));
            }
            config = config.withCreated(createdOf(config, services));
            return ImageAssembler.assemble(config, target.layers(), blobs);
        } finally {
            pool.shutdownNow();
            downloader.close();
            FileTrees.deleteQuietly(scratch);
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
