package dev.kiln.builder.engine.run;

import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.dockerfile.Heredoc;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildServices;
import dev.kiln.builder.engine.StageState;
import dev.kiln.builder.engine.StepException;
import dev.kiln.builder.engine.config.Shells;
import dev.kiln.builder.engine.context.Archives;
import dev.kiln.builder.engine.copy.CopySource;
import dev.kiln.builder.engine.mount.RunMounts;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.runtime.Mount;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * RUN: builds the command line (exec form as is; shell form and heredocs through SHELL), the
 * environment (image ENV, then the stage's ARGs, then proxy build-args), keys the cache on those,
 * and its {@code --mount}s ({@link RunMounts}), and on a miss runs it through the {@link RunExecutor}
 * into a fresh upper dir and snapshots that, without the mount points the image lacked.
 * History is BuildKit's: {@code RUN |N K=V ... /bin/sh -c CMD # buildkit}.
 */
public final class RunStep {
    static final int KEPT_LINES = 20;
    private static final System.Logger LOG = System.getLogger(RunStep.class.getName());

    private RunStep() {}

    /** Where BuildKit puts the script of a {@code RUN <<EOF} whose body starts with {@code #!}. */
    static final String PIPES = "/dev/pipes/";

    public static boolean run(RunInstruction in, StageState state, BuildServices s, int step,
            Function<String, CopySource> sources) throws InterruptedException {
        Optional<Heredoc> shebang = in.script().filter(h -> h.content().startsWith("#!"));
        List<String> argv = shebang.isPresent() ? List.of(PIPES + shebang.get().name()) : argv(in, state);
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : state.config.config().env()) {
            int eq = e.indexOf('=');
            env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        env.putAll(state.scope.runEnv());
        List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        RunInstruction.Network network = in.network() != RunInstruction.Network.DEFAULT ? in.network()
                : s.options().network();
        String createdBy = "RUN " + commandString(argv, state.scope) + " # buildkit";
        RunMounts mounts = RunMounts.of(in, state.config.config().workingDir(), s, sources);
        CacheKey.Builder keyed = state.key.next().add(createdBy).add(env).add(network.name())
                .add(state.config.config().user()).add(state.config.config().workingDir());
        if (!mounts.isEmpty()) {
            mounts.key(keyed);
        }
        return state.cached(keyed.build(), s,
                () -> execute(in, state, s, step, new Command(argv, envList, network, createdBy, shebang), mounts));
    }

    /** What RUN executes, as {@link #run} worked it out from the instruction and the stage. */
    private record Command(List<String> argv, List<String> env, RunInstruction.Network network, String createdBy,
            Optional<Heredoc> shebang) {}

    /** Runs the command into a fresh upper dir and adds its snapshot to the stage. */
    private static void execute(RunInstruction in, StageState state, BuildServices s, int step, Command c,
            RunMounts mounts) throws InterruptedException {
        List<String> argv = c.argv();
        Optional<Heredoc> shebang = c.shebang();
        String createdBy = c.createdBy();
        s.beforeLayerWork(createdBy);
        Path upper = s.newDir("run");
        boolean kept = false;
        Map<String, Path> files = new LinkedHashMap<>();
        if (shebang.isPresent()) {
            try {
                Path script = FileNames.resolve(s.newDir("script"), shebang.get().name());
                java.nio.file.Files.writeString(script, shebang.get().content());
                Archives.setMode(script, 0755);
                files.put(PIPES + shebang.get().name(), script);
            } catch (java.io.IOException e) {
                throw new StepException(in.range(), "cannot write the heredoc script: " + e.getMessage(), null, e);
            }
        }
        Deque<String> last = new ArrayDeque<>();
        try (mounts) {
            String user = state.config.config().user();
            LayerFiles.View view = state.view(s);
            List<Mount> mounted = mounts.open();
            MountStubs stubs = MountStubs.of(view, mounts.targets());
            List<String> runEnv = new ArrayList<>(c.env());
            runEnv.addAll(mounts.env());
            long started = System.nanoTime();
            RunExecutor.Result result = s.runs().run(new RunRequest(state.layers, upper, argv, runEnv,
                    user, state.config.config().workingDir(), c.network(), line -> {
                        synchronized (last) {
                            if (last.size() == KEPT_LINES) {
                                last.removeFirst();
                            }
                            last.addLast(line);
                        }
                        s.listener().on(new BuildEvent.Output(state.label, step, line));
                    }, files, mounted));
            if (!result.succeeded()) {
                List<String> lines;
                synchronized (last) {
                    lines = new ArrayList<>(last);
                }
                throw new RunFailedException(in.range(), commandString(argv, null), result.exitCode(), lines);
            }
            if (!result.changesKept()) {
                throw new StepException(in.range(), "the command ran, but its changes to the file system "
                        + "were not kept by the runtime, so this step cannot make its layer",
                        "report this with the --debug output; the build stopped rather than write an "
                        + "image without the step's changes", null);
            }
            LOG.log(System.Logger.Level.DEBUG, "step {0}: the command ran in {1} ms", step,
                    (System.nanoTime() - started) / 1_000_000);
            stubs.remove(upper);
            LayerBlob blob = s.snapshotter().snapshot(upper, result.ownersRecorded()
                    ? s.snapshotOptions().withRecordedRun(path -> view.getNoFollow(path)
                            .filter(n -> n.type() == 'f').map(n -> new Owner(n.uid(), n.gid())), result.createdBy())
                    : s.snapshotOptions());
            kept = s.runs().keepAsLayer(upper, blob);
            state.addLayer(blob, createdBy, s.now());
        } catch (dev.kiln.oci.KilnException e) {
            if (e instanceof StepException) {
                throw e;
            }
            throw new StepException(in.range(), e.getMessage(), e.hint().orElse(null), e);
        } finally {
            if (!kept) {
                FileTrees.deleteQuietly(upper);
            }
        }
    }

    /** The process's argv, as BuildKit builds it from the instruction and its heredocs. */
    static List<String> argv(RunInstruction in, StageState state) {
        if (in.command().execForm()) {
            return in.command().args();
        }
        String script = in.command().args().get(0);
        Optional<Heredoc> sole = in.script();
        if (sole.isPresent()) {
            script = sole.get().content();
        } else if (!in.heredocs().isEmpty()) {
            StringBuilder full = new StringBuilder(script);
            for (Heredoc h : in.heredocs()) {
                full.append('\n').append(h.content()).append(h.name());
            }
            script = full.toString();
        }
        List<String> argv = new ArrayList<>(Shells.of(state.config));
        argv.add(script);
        return argv;
    }

    /** BuildKit's {@code runCommandString}: {@code |N K=V ...} for the stage's ARGs, then argv. */
    static String commandString(List<String> argv, VariableScope scope) {
        List<String> parts = new ArrayList<>();
        if (scope != null) {
            Map<String, String> args = scope.historyArgs();
            if (!args.isEmpty()) {
                parts.add("|" + args.size());
                args.forEach((k, v) -> parts.add(k + "=" + v));
            }
        }
        parts.addAll(argv);
        return String.join(" ", parts);
    }
}
