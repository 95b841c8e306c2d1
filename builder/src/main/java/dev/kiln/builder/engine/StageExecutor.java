package dev.kiln.builder.engine;

import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.dockerfile.AddInstruction;
import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.CmdInstruction;
import dev.kiln.builder.dockerfile.CopyInstruction;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileException;
import dev.kiln.builder.dockerfile.EnvInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.InstructionRules;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.dockerfile.WorkdirInstruction;
import dev.kiln.builder.engine.config.ArgChange;
import dev.kiln.builder.engine.config.ConfigChange;
import dev.kiln.builder.engine.config.ConfigChanges;
import dev.kiln.builder.engine.config.WorkdirChange;
import dev.kiln.builder.engine.context.Archives;
import dev.kiln.builder.engine.copy.CopySource;
import dev.kiln.builder.engine.copy.CopySpec;
import dev.kiln.builder.engine.copy.CopyStep;
import dev.kiln.builder.engine.copy.Passwd;
import dev.kiln.builder.engine.run.RunStep;
import dev.kiln.builder.plan.BaseRef;
import dev.kiln.builder.plan.Stage;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.oci.layer.DiffIdMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Builds one stage: starts from its base (an image, scratch or an earlier stage), runs the base's
 * ONBUILD triggers, then each instruction, consulting the cache for every step. Metadata steps go
 * through {@link ConfigChanges}; WORKDIR, COPY/ADD and RUN may make layers.
 */
final class StageExecutor {
    private final BuildServices s;
    private final BiFunction<String, String, CopySource> copySources;

    /**
     * @param copySources the source of {@code COPY --from=NAME} (a stage or an image), by the
     *     copying stage's label and NAME
     */
    StageExecutor(BuildServices services, BiFunction<String, String, CopySource> copySources) {
        this.s = services;
        this.copySources = copySources;
    }

    StageResult execute(Stage stage, VariableScope global, Map<Integer, StageResult> done) throws InterruptedException {
        Platform platform = stage.platform() != null ? Platform.parse(stage.platform()) : s.options().platform();
        ImageConfig config;
        List<LayerBlob> layers;
        CacheKey key;
        BaseRef base = stage.base();
        if (base instanceof BaseRef.StageRef ref) {
            StageResult r = done.get(ref.index());
            config = r.config();
            layers = r.layers();
            key = CacheKey.root("stage:" + r.key().hex(), platform.toString());
        } else if (base instanceof BaseRef.Image img) {
            s.listener().on(new BuildEvent.Resolving(stage.label(), img.reference()));
            s.listener().on(new BuildEvent.Message("resolving " + img.reference()));
            BaseImage b;
            try {
                b = s.images().resolve(img.reference(), platform, transfers(stage.label()), layerTap(stage));
            } catch (KilnException e) {
                s.listener().on(new BuildEvent.StepFailed(stage.label(), 1, e.getMessage()));
                throw new StepException(stage.from().range(), e.getMessage(), e.hint().orElse(null), e);
            }
            config = b.config();
            layers = b.layers();
            key = CacheKey.root(b.cacheIdentity(), platform.toString());
        } else {
            config = ImageConfig.empty(platform);
            layers = List.of();
            key = CacheKey.root("scratch", platform.toString());
        }
        String baseName = base instanceof BaseRef.Image img ? img.reference() : null;
        List<Instruction> triggers = triggers(config);
        if (!triggers.isEmpty()) {
            config = config.withConfig(config.config().withOnBuild(List.of()));
        }
        VariableScope scope = global.stage(envMap(config));
        boolean useCache = !s.options().noCache() && !s.options().noCacheStages().contains(stage.label())
                && (stage.name() == null || !s.options().noCacheStages().contains(stage.name()));
        StageState state = new StageState(stage.label(), scope, config, layers, key, useCache);
        List<Instruction> steps = new ArrayList<>(triggers);
        steps.addAll(stage.instructions());
        int total = steps.size() + 1;
        s.listener().on(new BuildEvent.StepStarted(stage.label(), 1, total, stage.from().text()));
        s.listener().on(new BuildEvent.StepDone(stage.label(), 1, Duration.ZERO));
        for (int i = 0; i < steps.size(); i++) {
            Instruction in = steps.get(i);
            int number = i + 2;
            s.listener().on(new BuildEvent.StepStarted(stage.label(), number, total,
                    (i < triggers.size() ? "ONBUILD " : "") + in.text()));
            long start = System.nanoTime();
            state.runAhead = steps.subList(i, steps.size()).stream().anyMatch(RunInstruction.class::isInstance);
            boolean cached;
            try {
                cached = step(in, state, number);
            } catch (RuntimeException e) {
                RuntimeException named = namingTheImage(e, in, baseName);
                s.listener().on(new BuildEvent.StepFailed(stage.label(), number, named.getMessage()));
                throw named;
            }
            s.listener().on(cached ? new BuildEvent.StepCached(stage.label(), number)
                    : new BuildEvent.StepDone(stage.label(), number, Duration.ofNanos(System.nanoTime() - start)));
        }
        return state.result();
    }

    /**
     * What a pull of the stage's base does with the layers it downloads: when a RUN of the stage
     * will need them extracted, the runtime extracts them as they arrive; else nothing (a build
     * that runs no container, or only from the cache, never pays for an extraction). A layer
     * already in the store is not pulled, so it is extracted when a RUN first needs it, as before.
     */
    private dev.kiln.builder.registry.LayerTap layerTap(Stage stage) {
        boolean runs = stage.instructions().stream().anyMatch(RunInstruction.class::isInstance);
        return runs && !s.options().cachedLayersOnly() ? s.runs().layerTap() : dev.kiln.builder.registry.LayerTap.NONE;
    }

    /**
     * A step that failed because a base layer is not what the config claims: the error names the
     * image (the step's own position and the layer with both digests come from below).
     */
    private static RuntimeException namingTheImage(RuntimeException e, Instruction in, String image) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DiffIdMismatchException m) {
                DiffIdMismatchException named = image == null ? m : m.inImage(image);
                return new StepException(in.range(), named.getMessage(), named.hint().orElse(null), e);
            }
        }
        return e;
    }

    /** Pull progress for {@code stage}, as {@link BuildEvent.Transfer}s. */
    private ProgressListener transfers(String stage) {
        return e -> s.listener().on(new BuildEvent.Transfer(stage, e));
    }

    private boolean step(Instruction in, StageState state, int number) throws InterruptedException {
        if (in instanceof ArgInstruction arg) {
            List<ArgInstruction.Declaration> values = state.scope.declare(arg);
            return metadata(new ArgChange(new ArgInstruction(arg.range(), arg.text(), values)), in, state);
        }
        Instruction expanded;
        try {
            expanded = in.expand(state.scope.expander());
            InstructionRules.check(expanded);
        } catch (DockerfileException e) {
            throw e.at(in.range());
        }
        if (in instanceof EnvInstruction env) {
            state.scope.setEnv(env);
        }
        if (expanded instanceof WorkdirInstruction w) {
            return workdir(new WorkdirChange(w), state);
        }
        if (expanded instanceof CopyInstruction c) {
            CopySpec spec = CopySpec.of(c);
            return CopyStep.run(spec, sourceOf(spec, state.label), state, s);
        }
        if (expanded instanceof AddInstruction a) {
            return CopyStep.run(CopySpec.of(a), CopySource.of(s.context()), state, s);
        }
        if (expanded instanceof RunInstruction r) {
            return RunStep.run(r, state, s, number, from -> copySources.apply(state.label, from));
        }
        ConfigChange change = ConfigChanges.of(expanded, state.cmdSet)
                .orElseThrow(() -> new StepException(in.range(), in.keyword() + " is not allowed here", null));
        boolean cached = metadata(change, expanded, state);
        if (expanded instanceof CmdInstruction) {
            state.cmdSet = true;
        }
        return cached;
    }

    private CopySource sourceOf(CopySpec spec, String stage) {
        if (spec.from() == null || spec.from().isEmpty()) {
            return CopySource.of(s.context());
        }
        try {
            return copySources.apply(stage, spec.from());
        } catch (KilnException e) {
            throw new StepException(spec.range(), e.getMessage(), e.hint().orElse(null), e);
        }
    }

    private boolean metadata(ConfigChange change, Instruction in, StageState state) throws InterruptedException {
        String createdBy = change.createdBy(state.config);
        CacheKey key = state.key.next().add(in.keyword())
                .add(createdBy != null ? createdBy : in.text().substring(in.keyword().length()).strip()).build();
        return state.cached(key, s, () -> {
            state.config = change.apply(state.config);
            state.addEmptyHistory(createdBy, s.now());
        });
    }

    /**
     * WORKDIR sets the config and, as BuildKit does, makes the directory (owned by the stage's
     * USER) in a layer; when the image already has it, no layer is made.
     */
    private boolean workdir(WorkdirChange change, StageState state) throws InterruptedException {
        String dir = change.resolve(state.config);
        CacheKey key = state.key.next().add("WORKDIR").add(dir).add(state.config.config().user()).build();
        return state.cached(key, s, () -> workdirLayer(change, dir, state));
    }

    /** Makes {@code dir} in a layer unless the image has it; sets the config's working dir. */
    private void workdirLayer(WorkdirChange change, String dir, StageState state) {
        String createdBy = change.createdBy(state.config);
        LayerFiles.View view = state.view(s);
        state.config = change.apply(state.config);
        if (dir.equals("/") || view.isDirectory(dir)) {
            state.addEmptyHistory(createdBy, s.now());
        } else {
            s.beforeLayerWork(createdBy);
            String user = state.config.config().user();
            Owner owner = user == null || user.isEmpty() ? Owner.ROOT : Passwd.resolve(user, view);
            Path layer = s.newDir("workdir");
            try {
                String rel = view.realPath(ImagePaths.relative(dir));
                Map<String, Owner> owners = new LinkedHashMap<>();
                String sofar = "";
                for (String part : rel.split("/")) {
                    sofar = sofar.isEmpty() ? part : sofar + "/" + part;
                    Path p = Files.createDirectories(FileNames.resolve(layer, sofar));
                    var existing = view.get(sofar).filter(LayerFiles.Node::isDirectory);
                    Archives.setMode(p, existing.map(LayerFiles.Node::mode).orElse(0755));
                    owners.put(sofar, existing.map(n -> new Owner(n.uid(), n.gid())).orElse(owner));
                }
                LayerBlob blob = s.snapshotter().snapshot(layer, s.snapshotOptions().withOwners(owners));
                state.addLayer(blob, createdBy, s.now());
            } catch (IOException e) {
                throw new KilnException("WORKDIR " + dir + ": " + e.getMessage(), e);
            } finally {
                FileTrees.deleteQuietly(layer);
            }
        }
    }

    private static List<Instruction> triggers(ImageConfig config) {
        List<String> onBuild = config.config().onBuild();
        if (onBuild.isEmpty()) {
            return List.of();
        }
        return Dockerfile.parse("ONBUILD trigger", String.join("\n", onBuild)).instructions();
    }

    private static Map<String, String> envMap(ImageConfig config) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : config.config().env()) {
            int eq = e.indexOf('=');
            m.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        return m;
    }
}
