package dev.kiln.builder.plan;

import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.CmdInstruction;
import dev.kiln.builder.dockerfile.CopyInstruction;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileException;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.EntrypointInstruction;
import dev.kiln.builder.dockerfile.EnvInstruction;
import dev.kiln.builder.dockerfile.FromInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.InstructionRules;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.dockerfile.RunMount;
import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.builder.dockerfile.Suggest;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.registry.InvalidReferenceException;
import dev.kiln.builder.registry.Reference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Dockerfile + options to {@link BuildPlan}. */
public final class Planner {
    private Planner() {}

    /** A dependency edge and the instruction that made it (for cycle messages). */
    private record Edge(int to, SourceRange at) {}

    /** What the planner learns about one stage before pruning. */
    private static final class Draft {
        int index;
        String name;
        FromInstruction from;
        BaseRef base;
        String platform;
        final List<Instruction> instructions = new ArrayList<>();
        final List<Edge> edges = new ArrayList<>();
        final Set<String> copiedImages = new LinkedHashSet<>();
        VariableScope scope;
        /** The first {@link InstructionRules} violation in the stage, thrown only if the stage is built. */
        DockerfileException invalid;
    }

    /**
     * Plans a build.
     *
     * @throws DockerfileException for instructions before the first FROM other than ARG, a blank or
     *     unexpandable base, duplicate stage names, an unknown target or stage index, and cycles
     */
    public static BuildPlan plan(Dockerfile df, PlanOptions opts) {
        List<Instruction> all = df.instructions();
        VariableScope global = VariableScope.global(opts.buildArgs(), opts.predefinedArgs(), df.lexer());
        int i = 0;
        while (i < all.size() && !(all.get(i) instanceof FromInstruction)) {
            Instruction in = all.get(i);
            if (!(in instanceof ArgInstruction arg)) {
                throw new DockerfileException(in.range(), in.keyword() + " before the first FROM: only ARG may come "
                        + "before FROM", "start the build stage with FROM image");
            }
            global.declare(arg);
            i++;
        }
        if (i == all.size()) {
            throw new DockerfileException(all.get(all.size() - 1).range(), "no build stage: the Dockerfile has no FROM");
        }
        List<Draft> drafts = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (; i < all.size(); i++) {
            Instruction in = all.get(i);
            if (in instanceof FromInstruction from) {
                drafts.add(startStage(from, drafts, names, global));
            } else {
                drafts.get(drafts.size() - 1).instructions.add(in);
            }
        }
        List<DockerfileWarning> warnings = new ArrayList<>(df.warnings());
        for (Draft d : drafts) {
            Map<String, String> baseEnv = d.base instanceof BaseRef.StageRef s ? drafts.get(s.index()).scope.env() : Map.of();
            d.scope = global.stage(baseEnv);
            walkStage(d, drafts, names, warnings);
        }
        int target = findTarget(opts.target(), drafts, names, df);
        detectCycles(drafts);
        List<Integer> order = new ArrayList<>();
        postOrder(target, drafts, new HashSet<>(), order);
        order.stream().map(idx -> drafts.get(idx).invalid).filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.comparingInt(e -> e.range().map(SourceRange::startLine).orElse(0)))
                .ifPresent(e -> {
                    throw e;
                });
        List<Stage> stages = new ArrayList<>();
        Set<String> consumed = new HashSet<>(global.consumedBuildArgs());
        for (int idx : order) {
            Draft d = drafts.get(idx);
            consumed.addAll(d.scope.consumedBuildArgs());
            Set<Integer> deps = new TreeSet<>();
            d.edges.forEach(e -> deps.add(e.to()));
            stages.add(new Stage(d.index, d.name, d.from, d.base, d.platform, d.instructions, deps, d.copiedImages,
                    d.scope.args()));
        }
        List<String> unused = opts.buildArgs().keySet().stream()
                .filter(k -> !consumed.contains(k) && !VariableScope.PROXY_ARGS.contains(k)
                        && !VariableScope.PLATFORM_ARGS.contains(k))
                .sorted().toList();
        if (!unused.isEmpty()) {
            warnings.add(new DockerfileWarning(null, "build-arg" + (unused.size() > 1 ? "s " : " ") + unused
                    + (unused.size() > 1 ? " were" : " was") + " not consumed by any ARG of the stages built"));
        }
        return new BuildPlan(df, opts, stages, global.args(), warnings);
    }

    private static Draft startStage(FromInstruction raw, List<Draft> earlier, Map<String, Integer> names,
            VariableScope global) {
        Draft d = new Draft();
        d.index = earlier.size();
        FromInstruction from;
        try {
            from = raw.expand(global.expander());
        } catch (DockerfileException e) {
            throw e.at(raw.range());
        }
        d.from = raw;
        d.name = raw.stageName();
        d.platform = from.platform();
        String image = from.image();
        if (image.isBlank()) {
            throw new DockerfileException(raw.range(), "base name (" + raw.image() + ") should not be blank",
                    "declare the ARG it uses before FROM, or pass --build-arg");
        }
        Integer stage = names.get(image.toLowerCase(Locale.ROOT));
        if (stage != null) {
            d.base = new BaseRef.StageRef(stage, image.toLowerCase(Locale.ROOT));
            d.edges.add(new Edge(stage, raw.range()));
        } else if (image.equalsIgnoreCase("scratch")) {
            d.base = new BaseRef.Scratch();
        } else {
            checkReference(image, raw);
            d.base = new BaseRef.Image(image);
        }
        if (d.name != null) {
            if (names.containsKey(d.name)) {
                throw new DockerfileException(raw.range(), "duplicate stage name `" + d.name + "` (first used by stage #"
                        + names.get(d.name) + ")");
            }
            names.put(d.name, d.index);
        }
        return d;
    }

    private static void checkReference(String image, FromInstruction at) {
        for (int k = 0; k < image.length(); k++) {
            char c = image.charAt(k);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new DockerfileException(at.range(), "invalid image reference `" + image + "` in FROM");
            }
        }
        try {
            Reference.parse(image);
        } catch (InvalidReferenceException e) {
            throw new DockerfileException(at.range(), "invalid image reference `" + image + "` in FROM: "
                    + e.problem());
        }
    }

    /** Simulates ARG/ENV through the stage to resolve COPY --from and RUN --mount from=. */
    private static void walkStage(Draft d, List<Draft> drafts, Map<String, Integer> names,
            List<DockerfileWarning> warnings) {
        int cmds = 0;
        int entrypoints = 0;
        for (Instruction in : d.instructions) {
            if (d.invalid == null && !(in instanceof ArgInstruction) && !(in instanceof EnvInstruction)) {
                d.invalid = broken(d, in);
            }
            if (in instanceof ArgInstruction a) {
                d.scope.declare(a);
            } else if (in instanceof EnvInstruction e) {
                d.scope.setEnv(e);
            } else if (in instanceof CopyInstruction c && c.from() != null) {
                link(d, expandWord(d, c.from(), in), in.range(), drafts, names);
            } else if (in instanceof RunInstruction r) {
                for (RunMount m : r.mounts()) {
                    if (m.from() != null) {
                        link(d, expandWord(d, m.from(), in), in.range(), drafts, names);
                    }
                }
            } else if (in instanceof CmdInstruction) {
                cmds++;
                if (cmds == 2) {
                    warnings.add(new DockerfileWarning(in.range(), "multiple CMD instructions in stage "
                            + (d.name != null ? d.name : "#" + d.index) + ": only the last one takes effect"));
                }
            } else if (in instanceof EntrypointInstruction) {
                entrypoints++;
                if (entrypoints == 2) {
                    warnings.add(new DockerfileWarning(in.range(), "multiple ENTRYPOINT instructions in stage "
                            + (d.name != null ? d.name : "#" + d.index) + ": only the last one takes effect"));
                }
            }
        }
    }

    /**
     * The rule {@code in} breaks with the variables known here, or null. An expansion that fails
     * here is left to the step (a base image's ENV is known only then), which checks again.
     */
    private static DockerfileException broken(Draft d, Instruction in) {
        Instruction expanded;
        try {
            expanded = in.expand(d.scope.expander());
        } catch (DockerfileException e) {
            return null;
        }
        try {
            InstructionRules.check(expanded);
            return null;
        } catch (DockerfileException e) {
            return e.at(in.range());
        }
    }

    private static String expandWord(Draft d, String word, Instruction in) {
        try {
            return d.scope.expander().word(word);
        } catch (DockerfileException e) {
            throw e.at(in.range());
        }
    }

    private static void link(Draft d, String ref, SourceRange at, List<Draft> drafts, Map<String, Integer> names) {
        Integer byName = names.get(ref.toLowerCase(Locale.ROOT));
        if (byName != null) {
            d.edges.add(new Edge(byName, at));
            return;
        }
        if (!ref.isEmpty() && ref.chars().allMatch(Character::isDigit)) {
            int idx;
            try {
                idx = Integer.parseInt(ref);
            } catch (NumberFormatException e) {
                idx = Integer.MAX_VALUE;
            }
            if (idx >= drafts.size()) {
                throw new DockerfileException(at, "invalid stage index " + ref + ": the Dockerfile has "
                        + drafts.size() + " stage" + (drafts.size() == 1 ? "" : "s"));
            }
            d.edges.add(new Edge(idx, at));
            return;
        }
        d.copiedImages.add(ref);
    }

    private static int findTarget(String target, List<Draft> drafts, Map<String, Integer> names, Dockerfile df) {
        if (target == null) {
            return drafts.size() - 1;
        }
        Integer idx = names.get(target.toLowerCase(Locale.ROOT));
        if (idx == null) {
            String hint = Suggest.closest(target, names.keySet()).map(s -> "did you mean `" + s + "`?")
                    .orElse(names.isEmpty() ? "the Dockerfile names no stages (FROM image AS name)"
                            : "stages are: " + String.join(", ", names.keySet()));
            throw new DockerfileException(null, "target stage `" + target + "` could not be found in " + df.file(),
                    hint);
        }
        return idx;
    }

    private static void detectCycles(List<Draft> drafts) {
        int[] state = new int[drafts.size()];
        for (int s = 0; s < drafts.size(); s++) {
            visit(s, drafts, state);
        }
    }

    private static void visit(int s, List<Draft> drafts, int[] state) {
        if (state[s] == 2) {
            return;
        }
        state[s] = 1;
        for (Edge e : drafts.get(s).edges) {
            if (state[e.to()] == 1) {
                Draft d = drafts.get(e.to());
                throw new DockerfileException(e.at(), "circular dependency detected on stage "
                        + (d.name != null ? "`" + d.name + "`" : "#" + d.index),
                        "a stage cannot copy from itself or from a stage that depends on it");
            }
            visit(e.to(), drafts, state);
        }
        state[s] = 2;
    }

    private static void postOrder(int s, List<Draft> drafts, Set<Integer> seen, List<Integer> out) {
        if (!seen.add(s)) {
            return;
        }
        new TreeSet<>(drafts.get(s).edges.stream().map(Edge::to).toList()).forEach(dep -> postOrder(dep, drafts, seen, out));
        out.add(s);
    }
}
