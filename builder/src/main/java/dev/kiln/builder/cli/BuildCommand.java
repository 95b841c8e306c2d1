package dev.kiln.builder.cli;

import dev.kiln.builder.cli.live.LiveProgress;
import dev.kiln.builder.cli.live.Terminal;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildListener;
import dev.kiln.builder.engine.BuildOptions;
import dev.kiln.builder.engine.context.RemoteContext;
import dev.kiln.builder.engine.mount.BuildSecrets;
import dev.kiln.builder.engine.run.RunFailedException;
import dev.kiln.builder.output.BuildOutput;
import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Stage;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.session.BuildInput;
import dev.kiln.builder.session.BuildRequest;
import dev.kiln.builder.session.BuildResult;
import dev.kiln.builder.session.BuildSession;
import dev.kiln.builder.session.PlannedBuild;
import dev.kiln.builder.session.SessionOptions;
import dev.kiln.oci.Compression;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Platform;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Sandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code kiln build}: a Dockerfile to an image in the local store, and optionally to files. Flags
 * become a {@link BuildRequest} for a {@link BuildSession}; this class only enters the user
 * namespace when the build needs it and renders the session's events.
 */
@Command(name = "build", aliases = "bud",
        description = "Build an image from a Dockerfile and a context directory.")
public final class BuildCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(BuildCommand.class.getName());

    @Mixin GlobalOptions global;
    @Mixin UserNamespace userns;
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

    @Mixin RegistryAccess registryAccess;

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

    /** The sandbox {@link Main} started before parsing ({@link UserNamespace#startSandboxBeforeParsing}), or null. */
    Sandbox.Starting startedSandbox;

    /**
     * Whether {@code args} (a whole command line) are a {@code kiln build} that runs containers
     * when the kiln inside the user namespace runs them: the outer kiln re-executes a build whose
     * input it can read only once (stdin, a URL) before it knows, and any other build only when
     * it runs containers. So a token that is {@code -} (or ends in one: {@code -f-},
     * {@code --file=-}) or looks like a URL, wherever it stands, says no; help and version too.
     */
    static boolean runsContainersInside(String[] args) {
        if (args.length == 0 || !(args[0].equals("build") || args[0].equals("bud"))) {
            return false;
        }
        for (String a : args) {
            if (a.endsWith("-") || RemoteContext.isUrl(a) || a.startsWith("@") || a.equals("--help")
                    || a.equals("-h") || a.equals("--version") || a.equals("-V")) {
                return false;
            }
        }
        return true;
    }

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
        Isolation isolation = isolationMode();
        if ((contextArg.equals("-") || "-".equals(file) || RemoteContext.isUrl(contextArg)) && userns.needed(isolation)) {
            // stdin can be read once, a URL is fetched once: enter the user namespace first
            OptionalInt outer = userns.enter(isolation);
            if (outer.isPresent()) {
                return outer.getAsInt();
            }
        }
        SessionOptions sessionOptions = SessionOptions.of(global.storeRoot()).withIsolation(isolation)
                .withRegistries(registryAccess.mirrors, registryAccess.insecure);
        try (BuildInput input = BuildInput.read(contextArg, file, System.in);
                BuildSession session = BuildSession.open(sessionOptions, startedSandbox)) {
            PlanOptions planOptions = new PlanOptions(keyValues(buildArgs, "--build-arg"), target,
                    targetPlatform.toString(), null);
            PlannedBuild build = session.plan(new BuildRequest(input, planOptions, options(targetPlatform), names, outs,
                    pull));
            List<BuildEvent> held = new ArrayList<>();
            Optional<BuildResult> cached = Optional.empty();
            if (build.needsContainers() && userns.needed(isolation)) {
                cached = session.buildFromCache(build, held::add);
                LOG.log(System.Logger.Level.DEBUG, cached.isPresent()
                        ? "every layer came from the cache: no user namespace needed"
                        : "not a cached-only build: building in a user namespace");
                if (cached.isEmpty()) {
                    OptionalInt outer = userns.enter(isolation);
                    if (outer.isPresent()) {
                        return outer.getAsInt(); // the kiln inside the namespace printed the warnings
                    }
                }
            }
            for (DockerfileWarning w : build.warnings()) {
                err.println("WARNING: " + w.render());
            }
            err.flush();
            if (cached.isEmpty() && build.needsContainers()) {
                // before anything is pulled: a machine where no container can run fails here
                String isolationLine = session.prepareContainers();
                if (isolationLine != null && !silent) {
                    err.println("isolation: " + isolationLine);
                    err.flush();
                }
            }
            BuildProgress plain = new BuildProgress(out, silent, build.plan().stages().size() > 1);
            LiveProgress live = live(silent)
                    ? LiveProgress.start(err, Terminal.stderr(System.getenv()), steps(build.plan()), plain) : null;
            BuildListener events = live != null ? live : plain;
            ProgressListener transfers = live != null ? live : plain;
            BuildResult result;
            boolean succeeded = false;
            try {
                if (cached.isPresent()) {
                    held.forEach(events::on);
                    result = cached.get();
                } else {
                    result = session.build(build, events, transfers);
                }
                succeeded = true;
            } finally {
                if (live != null) {
                    live.finish(succeeded);
                }
            }
            report(session, result, transfers, silent, out);
            return Main.EXIT_OK;
        } catch (RunFailedException e) {
            err.println("Error: " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
    }

    /** Writes the ID files, pushes, and prints the names and the image ID. */
    private void report(BuildSession session, BuildResult result, ProgressListener transfers, boolean silent,
            PrintWriter out) throws IOException {
        if (iidFile != null) {
            result.writeIdFile(iidFile);
        }
        if (metadataFile != null) {
            result.writeMetadataFile(metadataFile);
        }
        if (push) {
            session.push(result, transfers);
        }
        if (!silent) {
            for (Reference n : result.names()) {
                out.println("Successfully tagged " + n.familiarString());
            }
        }
        out.println(result.image().id());
        out.flush();
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

    private Isolation isolationMode() {
        try {
            return Isolation.valueOf(isolation.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--isolation must be auto, userns or chroot, not '" + isolation + "'");
        }
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
