package dev.kiln.builder.session;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.IgnoreFiles;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildListener;
import dev.kiln.builder.engine.BuildOptions;
import dev.kiln.builder.engine.Builder;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.CacheOnlyMiss;
import dev.kiln.builder.engine.ImageSource;
import dev.kiln.builder.engine.StoreImageSource;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.engine.run.RuntimeRunExecutor;
import dev.kiln.builder.output.BuildOutput;
import dev.kiln.builder.output.ImageLocation;
import dev.kiln.builder.output.ImageWriter;
import dev.kiln.builder.output.StoredImage;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.Planner;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.CrashPoint;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.runtime.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds Dockerfiles into a local store and writes their outputs: the build API that {@code kiln
 * build} and a Maven plugin drive.
 * <pre>{@code
 * try (BuildSession session = BuildSession.open(SessionOptions.of(storeRoot));
 *         BuildInput input = BuildInput.directory(contextDir, null)) {
 *     PlannedBuild build = session.plan(BuildRequest.of(input).withNames(List.of(Reference.parse("app:1"))));
 *     build.warnings().forEach(w -> log.warn(w.render()));
 *     BuildResult result = session.build(build, event -> log.info(event), ProgressListener.NONE);
 *     session.push(result, ProgressListener.NONE);
 * }
 * }</pre>
 * Nothing here prints, exits or keeps global state: events go to the listeners, and several
 * sessions may run in one JVM, on one store or on several (the store's locks hold across sessions
 * and processes). A session runs one build at a time. RUN steps need root: rootless, the process
 * must already be inside kiln's user namespace (the CLI re-executes itself there), except for a
 * build {@link #buildFromCache} can finish.
 */
public final class BuildSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BuildSession.class.getName());
    private static final int TRANSFERS = 4;

    private final SessionOptions options;
    private final LocalStore store;
    private Registries registries; // made by the first pull or push
    private RunExecutor runs; // opened by the first build that may run containers, closed with the session
    private Sandbox.Starting sandbox; // started by the caller for the runs, until they are made

    private BuildSession(SessionOptions options, Sandbox.Starting sandbox) {
        this.options = options;
        this.store = new LocalStore(options.storeRoot());
        this.sandbox = sandbox;
    }

    public static BuildSession open(SessionOptions options) {
        return new BuildSession(options, null);
    }

    /**
     * A session whose RUN steps use {@code sandbox}, whose spawner JVM the caller started ({@link
     * Sandbox#starting}) when it knew containers would run, so that the spawner's start-up overlaps
     * what comes before them. The session owns it from here: the first build that runs a container
     * opens it, and {@link #close} stops it unused otherwise. Null: as {@link #open(SessionOptions)}.
     */
    public static BuildSession open(SessionOptions options, Sandbox.Starting sandbox) {
        return new BuildSession(options, sandbox);
    }

    public LocalStore store() {
        return store;
    }

    /** Parses the request's Dockerfile, plans its stages and loads the context's ignore file. */
    public PlannedBuild plan(BuildRequest request) {
        BuildInput input = request.input();
        Dockerfile dockerfile = Dockerfile.parse(input.dockerfileName(), input.dockerfileText());
        BuildPlan plan = Planner.plan(dockerfile, request.plan());
        IgnoreMatcher ignore = input.dockerfilePath() == null ? IgnoreMatcher.empty()
                : IgnoreFiles.load(input.context(), input.dockerfilePath());
        return new PlannedBuild(request, plan, new BuildContext(input.context(), ignore));
    }

    /**
     * Readies the container runtime before anything is pulled, so that a machine where no
     * container can run fails here; one line saying how RUN steps are isolated, or null.
     */
    public synchronized String prepareContainers() {
        return runs().prepare();
    }

    /**
     * Builds, pulling base images the store lacks (all of them with {@link BuildRequest#pull()}),
     * writes the request's outputs and names the image in the store, all under one store session.
     */
    public synchronized BuildResult build(PlannedBuild build, BuildListener events, ProgressListener transfers)
            throws InterruptedException, IOException {
        ImageSource images = new StoreImageSource(store,
                new ImagePuller(new TransferSettings(registries(), transfers, TRANSFERS, 0), store), build.request().pull());
        BuiltImage built = buildInStore(build, events, runs(), images, build.request().options());
        return new BuildResult(built, build.request().names(), false);
    }

    /**
     * A build whose every layer step is cached needs no container, hence (rootless) no user
     * namespace: it is tried here with no runtime and no registry. The first step that would make
     * a layer (a RUN, COPY, ADD or WORKDIR missing the cache) or pull an image stops it before it
     * touches anything, and the result is empty: build with {@link #build} then (inside the
     * namespace, where the earlier steps are cache hits). So nothing is ever extracted into the
     * layer store with the user's own ids for owners. {@code events} hears of the build only when
     * it succeeded. Empty at once when the outcome is known to need a build or would differ
     * ({@code pull}, no cache, a local-directory output) or the store has no build cache yet.
     */
    public synchronized Optional<BuildResult> buildFromCache(PlannedBuild build, BuildListener events)
            throws InterruptedException, IOException {
        BuildRequest request = build.request();
        if (request.pull() || request.options().noCache() || !request.options().noCacheStages().isEmpty()
                || request.outputs().stream().anyMatch(o -> o.type().equals("local"))
                || !Files.isDirectory(store.layout().cache())) {
            return Optional.empty();
        }
        List<BuildEvent> held = new ArrayList<>();
        BuildListener holding = e -> {
            synchronized (held) {
                held.add(e);
            }
        };
        try {
            BuiltImage built = buildInStore(build, holding, RunExecutor.UNAVAILABLE,
                    storeOnly(new StoreImageSource(store, null, false)), request.options().withCachedLayersOnly(true));
            held.forEach(events::on);
            return Optional.of(new BuildResult(built, request.names(), true));
        } catch (CacheOnlyMiss miss) {
            LOG.log(System.Logger.Level.DEBUG, "a cached-only build stopped: {0}", miss.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Pushes the image under each of its names to that name's registry, the way {@code kiln push}
     * does (through {@link ImageWriter}, with the session's registries: mirrors, insecure hosts and
     * credentials as for its pulls).
     */
    public void push(BuildResult result, ProgressListener progress) {
        ImageWriter writer = new ImageWriter(new TransferSettings(registries(), progress, TRANSFERS, 0), store);
        for (Reference n : result.names()) {
            ImageRecord r = store.image(n.toString()).orElseThrow();
            writer.write(new StoredImage(store, r, null), new ImageLocation.Registry(n));
            progress.message("pushed " + n);
        }
    }

    /** Closes the container runtime, if a build opened it, and ends the session's registry clients. */
    @Override
    public synchronized void close() {
        try {
            if (sandbox != null) {
                sandbox.close(); // no build made its runs
                sandbox = null;
            }
            if (runs != null) {
                runs.close();
                runs = null;
            }
        } finally {
            if (registries != null) {
                registries.close();
                registries = null;
            }
        }
    }

    private BuiltImage buildInStore(PlannedBuild build, BuildListener events, RunExecutor runs, ImageSource images,
            BuildOptions buildOptions) throws InterruptedException, IOException {
        BuildRequest request = build.request();
        try (LocalStore.Session session = store.session()) {
            Builder builder = new Builder(store, new BuildCache(store.layout().cache()), runs, images, events,
                    buildOptions, store.layout().tmp()).withStore(store.layout());
            BuiltImage built = builder.build(build.plan(), request.plan(), build.context());
            for (BuildOutput o : request.outputs()) {
                o.write(built, store, request.names());
            }
            name(built, request.names());
            return built;
        }
    }

    private void name(BuiltImage built, List<Reference> names) {
        long size = built.manifest().size() + built.config().size()
                + built.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
        CrashPoint.reached("commit");
        for (Reference n : names) {
            store.putImage(new ImageRecord(n.toString(), built.manifest().digest(), MediaType.OCI_MANIFEST,
                    built.id(), built.config().value().created(), size, null));
        }
    }

    private RunExecutor runs() {
        if (runs == null) {
            runs = new RuntimeRunExecutor(options.isolation(), store.layout(), store, sandbox);
            sandbox = null;
        }
        return runs;
    }

    /** The session's one {@link Registries}: clients, tokens and settings are shared by its pulls and pushes. */
    private synchronized Registries registries() {
        if (registries == null) {
            registries = Registries.forUser(options.auth(), options.mirrors(), options.insecureRegistries());
        }
        return registries;
    }

    /** {@code images} without pulling: an image missing from the store ends a cached-only build. */
    private static ImageSource storeOnly(ImageSource images) {
        return (reference, platform) -> {
            try {
                return images.resolve(reference, platform);
            } catch (KilnException notStored) {
                throw new CacheOnlyMiss("FROM " + reference);
            }
        };
    }
}
