package dev.kiln.builder.cli;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.cli.live.LiveProgress;
import dev.kiln.builder.cli.live.Terminal;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.IgnoreFiles;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildListener;
import dev.kiln.builder.engine.BuildOptions;
import dev.kiln.builder.engine.Builder;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.CacheOnlyMiss;
import dev.kiln.builder.engine.ImageSource;
import dev.kiln.builder.engine.StoreImageSource;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.engine.context.RemoteContext;
import dev.kiln.builder.engine.mount.BuildSecrets;
import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.engine.run.RunFailedException;
import dev.kiln.builder.engine.run.RuntimeRunExecutor;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import dev.kiln.builder.plan.Stage;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.RegistryConfig;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Compression;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Userns;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln build}: a Dockerfile to an image in the local store, and optionally to files. */
@Command(name = "build", aliases = "bud", mixinStandardHelpOptions = true,
        description = "Build an image from a Dockerfile and a context directory.")
public final class BuildCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(BuildCommand.class.getName());

    @Mixin GlobalOptions global;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT",
            description = "The build context: a directory; - for a tar (or a lone Dockerfile) on stdin; an http(s) URL"
                    + " of a tar (or a Dockerfile); a git URL (https://…/repo.git#REF:DIR, git@…).")
    String contextArg = ".";

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name the image (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The Dockerfile (default: CONTEXT/Dockerfile; - for stdin).")
    String file;

    @Option(names = "--build-arg", paramLabel = "K=V", description = "Set a build argument (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage and what it needs, not the last stage.")
    String target;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The target platform (default: this machine's).")
    String platform;

    @Option(names = "--label", paramLabel = "K=V", description = "Add a label to the image (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "SPEC",
            description = "Also write the image: FILE.tar, type=oci,dest=F, type=docker,dest=F or type=local,dest=DIR (repeatable).")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--push", description = "Push every -t name after the build.")
    boolean push;

    @Option(names = "--format", paramLabel = "oci|docker", description = "Format of -o FILE.tar (default: oci).")
    String format = "oci";

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
    Path iidFile;

    @Option(names = "--metadata-file", paramLabel = "FILE", description = "Write build metadata (JSON) to FILE.")
    Path metadataFile;

    @Option(names = "--progress", paramLabel = "auto|tty|plain|quiet", description = "How to show progress (default: auto).")
    String progress = "auto";

    @Option(names = {"-q", "--quiet"}, description = "Print only the image ID (same as --progress quiet).")
    boolean quiet;

    @Option(names = "--isolation", paramLabel = "auto|userns|chroot", description = "How RUN steps are isolated (default: auto).")
    String isolation = "auto";

    @Option(names = "--network", paramLabel = "host|none", description = "The network of RUN steps (default: host).")
    String network;

    @Option(names = "--registry-mirror", paramLabel = "REGISTRY=HOST[:PORT]",
            description = "Try HOST first for images of REGISTRY, e.g. docker.io=127.0.0.1:5000 (repeatable).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", description = "Talk plain HTTP to this registry (repeatable).")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--compression", paramLabel = "gzip|zstd", description = "Compression of new layers (default: gzip).")
    String compression = "gzip";

    @Option(names = "--no-cache", description = "Run every step; do not use the build cache.")
    boolean noCache;

    @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",", description = "Do not use the cache for these stages.")
    List<String> noCacheFilter = new ArrayList<>();

    @Option(names = "--pull", description = "Pull base images even when the store has them.")
    boolean pull;

    @Option(names = "--secret", paramLabel = "id=ID[,src=FILE|,env=VAR]",
            description = "A secret for RUN --mount=type=secret, from a file or an environment variable (repeatable).")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--ssh", paramLabel = "default|ID=SOCKET",
            description = "Forward an SSH agent socket to RUN --mount=type=ssh (default: $SSH_AUTH_SOCK; repeatable).")
    List<String> ssh = new ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "2", description = "Stages built at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean silent = quiet || progress.equals("quiet");
        List<BuildOutput> outs = new ArrayList<>();
        for (String o : outputs) {
            outs.add(BuildOutput.parse(o, format));
        }
        Platform targetPlatform = platform == null ? Platform.current() : Platform.parse(platform);
        List<Reference> names = new ArrayList<>();
        for (String t : tags) {
            names.add(Reference.parse(t));
        }
        Path tempContext = null;
        try {
            if ((contextArg.equals("-") || "-".equals(file) || RemoteContext.isUrl(contextArg)) && Userns.needed(isolationMode())) {
                // stdin can be read once, a URL is fetched once: enter the user namespace first
                java.util.OptionalInt code = Userns.ensureInside(
                        spec.root().commandLine().getParseResult().originalArgs().toArray(String[]::new),
                        isolationMode());
                if (code.isPresent()) {
                    return code.getAsInt();
                }
            }
            BuildInput input = BuildInput.read(contextArg, file);
            tempContext = input.scratch();
            Dockerfile dockerfile = Dockerfile.parse(input.dockerfileName(), input.dockerfileText());
            PlanOptions planOptions = new PlanOptions(keyValues(buildArgs, "--build-arg"), target, targetPlatform.toString(), null);
            BuildPlan plan = Planner.plan(dockerfile, planOptions);
            IgnoreMatcher ignore = input.dockerfilePath() == null ? IgnoreMatcher.empty()
                    : IgnoreFiles.load(input.context(), input.dockerfilePath());
            BuildContext context = new BuildContext(input.context(), ignore);
            LocalStore store = new LocalStore(global.storeRoot());
            List<BuildEvent> held = new ArrayList<>();
            BuiltImage cached = null;
            if (needsContainers(plan) && Userns.needed(isolationMode())) {
                cached = cachedOutsideNamespace(plan, planOptions, context, store, held, outs, names, targetPlatform);
                if (cached == null) {
                    java.util.OptionalInt code = Userns.ensureInside(
                            spec.root().commandLine().getParseResult().originalArgs().toArray(String[]::new),
                            isolationMode());
                    if (code.isPresent()) {
                        return code.getAsInt(); // the kiln inside the namespace printed the warnings
                    }
                }
            }
            for (DockerfileWarning w : plan.warnings()) {
                err.println("WARNING: " + w.render());
            }
            err.flush();
            try (RunExecutor runs = cached != null ? RunExecutor.UNAVAILABLE : runExecutor(store)) {
                if (cached == null && needsContainers(plan)) {
                    // before anything is pulled: a machine where no container can run fails here
                    String isolationLine = runs.prepare();
                    if (isolationLine != null && !silent) {
                        err.println("isolation: " + isolationLine);
                        err.flush();
                    }
                }
                return buildAndReport(plan, planOptions, context, store, held, outs, names, targetPlatform, cached,
                        runs, silent, out, err);
            }
        } catch (RunFailedException e) {
            err.println("Error: " + e.getMessage());
            err.flush();
            return e.exitCode();
        } finally {
            if (tempContext != null) {
                FileTrees.deleteQuietly(tempContext);
            }
        }
    }

    /** Builds (or replays a cached build's events), writes the outputs, pushes, prints the image id. */
    private int buildAndReport(BuildPlan plan, PlanOptions planOptions, BuildContext context, LocalStore store,
            List<BuildEvent> held, List<BuildOutput> outs, List<Reference> names, Platform targetPlatform,
            BuiltImage cached, RunExecutor runs, boolean silent, PrintWriter out, PrintWriter err)
            throws Exception {
        BuildProgress plain = new BuildProgress(out, silent, plan.stages().size() > 1);
        LiveProgress live = live(silent) ? LiveProgress.start(err, Terminal.stderr(System.getenv()), steps(plan), plain)
                : null;
        BuildListener events = live != null ? live : plain;
        ProgressListener transfers = live != null ? live : plain;
        BuiltImage built = cached;
        boolean succeeded = false;
        try {
            if (built != null) {
                held.forEach(events::on);
            } else {
                built = build(plan, planOptions, context, store, events, transfers, runs,
                        options(targetPlatform), outs, names);
            }
            succeeded = true;
        } finally {
            if (live != null) {
                live.finish(succeeded);
            }
        }
        BuildResults.writeIdFiles(built, names, iidFile, metadataFile);
        if (push) {
            BuildResults.push(store, names, transfers, mirrors, insecure);
        }
        if (!silent) {
            for (Reference n : names) {
                out.println("Successfully tagged " + n.familiarString());
            }
        }
        out.println(built.id());
        out.flush();
        return Main.EXIT_OK;
    }

    /** Builds, writes the {@code -o} outputs and sets the names, all under one store session. */
    private BuiltImage build(BuildPlan plan, PlanOptions planOptions, BuildContext context, LocalStore store,
            BuildListener events, ProgressListener transfers, RunExecutor runs, BuildOptions options,
            List<BuildOutput> outs, List<Reference> names) throws InterruptedException, IOException {
        try (LocalStore.Session session = store.session()) {
            ImageSource images;
            if (options.cachedLayersOnly()) {
                images = storeOnly(new StoreImageSource(store, null, false));
            } else {
                AuthEnvironment env = AuthEnvironment.system();
                Registries registries = Registries.standard(RegistryConfig.load(env.kilnConfig(), mirrors, insecure),
                        env);
                images = new StoreImageSource(store, new ImagePuller(registries, store, transfers, 4), pull);
            }
            Builder builder = new Builder(store, BuildCache.inStore(store.root()), runs, images, events, options,
                    store.root().resolve("tmp"))
                    .withListings(store.root().resolve("layers"))
                    .withCacheMounts(store.root().resolve("cache-mounts"));
            BuiltImage built = builder.build(plan, planOptions, context);
            for (BuildOutput o : outs) {
                o.write(built, store, names, store.root().resolve("tmp"));
            }
            BuildResults.name(store, built, names);
            return built;
        }
    }

    /**
     * A rootless build whose every layer step is cached needs no user namespace: it is tried here
     * first, as the user, with its progress events kept in {@code held}. The first step that would
     * make a layer (a RUN, COPY, ADD or WORKDIR missing the cache) or pull an image stops it before
     * it touches anything, and null says: re-execute in the namespace and build there (where the
     * earlier steps are cache hits). So nothing is ever extracted into the layer store with the
     * user's own ids for owners. Not tried when the outcome is known to need the namespace or
     * would differ outside it ({@code --pull}, {@code --no-cache}, a local-directory output) or
     * when the store has no build cache yet.
     */
    private BuiltImage cachedOutsideNamespace(BuildPlan plan, PlanOptions planOptions, BuildContext context,
            LocalStore store, List<BuildEvent> held, List<BuildOutput> outs, List<Reference> names,
            Platform targetPlatform) throws InterruptedException, IOException {
        if (pull || noCache || !noCacheFilter.isEmpty() || outs.stream().anyMatch(o -> o.type().equals("local"))
                || !Files.isDirectory(store.root().resolve("cache"))) {
            return null; // (no cache yet: a first build)
        }
        BuildListener holding = e -> {
            synchronized (held) {
                held.add(e);
            }
        };
        try {
            BuiltImage built = build(plan, planOptions, context, store, holding, ProgressListener.NONE,
                    RunExecutor.UNAVAILABLE, options(targetPlatform).withCachedLayersOnly(true), outs, names);
            LOG.log(System.Logger.Level.DEBUG, "every layer came from the cache: no user namespace needed");
            return built;
        } catch (CacheOnlyMiss miss) {
            LOG.log(System.Logger.Level.DEBUG, "not every step is cached ({0}): building in a user namespace",
                    miss.getMessage());
            held.clear();
            return null;
        }
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

    /** The live view: asked for, or {@code auto} on a terminal. */
    private boolean live(boolean silent) {
        return !silent && (progress.equals("tty") || progress.equals("auto") && Terminal.isLive(System.getenv()));
    }

    /** Each stage's step texts (FROM first), for the live view's totals. */
    private static Map<String, List<String>> steps(BuildPlan plan) {
        Map<String, List<String>> steps = new LinkedHashMap<>();
        for (Stage stage : plan.stages()) {
            List<String> texts = new ArrayList<>();
            texts.add(stage.from().text());
            stage.instructions().forEach(in -> texts.add(in.text()));
            steps.put(stage.label(), texts);
        }
        return steps;
    }

    private RunExecutor runExecutor(LocalStore store) {
        return new RuntimeRunExecutor(isolationMode(), store.root(), store);
    }

    private Isolation isolationMode() {
        try {
            return Isolation.valueOf(isolation.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--isolation must be auto, userns or chroot, not '" + isolation + "'");
        }
    }

    /** RUN needs kiln to be root: when rootless, the whole build re-executes in a user namespace. */
    private static boolean needsContainers(BuildPlan plan) {
        return plan.stages().stream().flatMap(st -> st.instructions().stream())
                .anyMatch(in -> in instanceof RunInstruction
                        || in instanceof dev.kiln.builder.dockerfile.OnbuildInstruction o
                                && o.inner() instanceof RunInstruction);
    }

    private BuildOptions options(Platform target) {
        Compression c = switch (compression.toLowerCase(java.util.Locale.ROOT)) {
            case "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "none", "uncompressed" -> Compression.NONE;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--compression must be gzip or zstd, not '" + compression + "'");
        };
        RunInstruction.Network net = network == null ? RunInstruction.Network.DEFAULT
                : switch (network.toLowerCase(java.util.Locale.ROOT)) {
                    case "host", "default" -> RunInstruction.Network.HOST;
                    case "none" -> RunInstruction.Network.NONE;
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "--network must be host or none, not '" + network + "'");
                };
        return new BuildOptions(target, keyValues(labels, "--label"), noCache, new HashSet<>(noCacheFilter), c, net,
                sourceDateEpoch(), jobs, buildSecrets(), false);
    }

    private BuildSecrets buildSecrets() {
        Map<String, BuildSecrets.Source> byId = new LinkedHashMap<>();
        for (String spec : secrets) {
            BuildSecrets.Source s = BuildSecrets.parseSecret(spec);
            byId.put(s.id(), s);
        }
        Map<String, Path> agents = new LinkedHashMap<>();
        for (String spec : ssh) {
            Map.Entry<String, Path> e = BuildSecrets.parseSsh(spec, System::getenv);
            agents.put(e.getKey(), e.getValue());
        }
        return BuildSecrets.of(byId, agents);
    }

    private static Instant sourceDateEpoch() {
        String v = System.getenv("SOURCE_DATE_EPOCH");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            throw new KilnException("SOURCE_DATE_EPOCH '" + v + "' is not a number of seconds", null, null);
        }
    }

    private Map<String, String> keyValues(List<String> items, String flag) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : items) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                if (flag.equals("--build-arg") && eq < 0 && System.getenv(kv) != null) {
                    m.put(kv, System.getenv(kv));
                    continue;
                }
                throw new CommandLine.ParameterException(spec.commandLine(), flag + " '" + kv + "' is not KEY=VALUE");
            }
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }
}
