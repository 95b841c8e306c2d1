package dev.kiln.builder.plan;

import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.FromInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import dev.kiln.builder.dockerfile.VariableScope;
import java.util.List;
import java.util.Map;

/**
 * What to build: only the stages the target needs, in dependency order (every stage after the
 * stages it depends on; the target last), the global ARGs, and warnings (e.g. unused build-args).
 */
public record BuildPlan(Dockerfile dockerfile, PlanOptions options, List<Stage> stages,
        Map<String, String> globalArgs, List<DockerfileWarning> warnings) {

    public BuildPlan {
        stages = List.copyOf(stages);
        globalArgs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(globalArgs));
        warnings = List.copyOf(warnings);
    }

    /**
     * A fresh variable scope for running a stage whose base image (or parent stage) has
     * {@code baseEnv}: the global ARGs replayed with this plan's build-args and platforms. The
     * engine then feeds it the stage's ARG and ENV instructions as it dispatches them.
     */
    public VariableScope newStageScope(Map<String, String> baseEnv) {
        VariableScope global = VariableScope.global(options.buildArgs(), options.predefinedArgs(), dockerfile.lexer());
        for (Instruction in : dockerfile.instructions()) {
            if (in instanceof FromInstruction) {
                break;
            }
            global.declare((ArgInstruction) in);
        }
        return global.stage(baseEnv);
    }

    /** The stage whose result is the build's image. */
    public Stage target() {
        return stages.get(stages.size() - 1);
    }
}
