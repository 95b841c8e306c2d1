package dev.kiln.builder.plan;

import dev.kiln.builder.dockerfile.Dockerfile;
import dev.kiln.builder.dockerfile.DockerfileWarning;
import java.util.List;
import java.util.Map;

/**
 * What to build: only the stages the target needs, in dependency order (every stage after the
 * stages it depends on; the target last), the global ARGs, and warnings (e.g. unused build-args).
 */
public record BuildPlan(Dockerfile dockerfile, List<Stage> stages, Map<String, String> globalArgs,
        List<DockerfileWarning> warnings) {

    public BuildPlan {
        stages = List.copyOf(stages);
        globalArgs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(globalArgs));
        warnings = List.copyOf(warnings);
    }

    /** The stage whose result is the build's image. */
    public Stage target() {
        return stages.get(stages.size() - 1);
    }
}
