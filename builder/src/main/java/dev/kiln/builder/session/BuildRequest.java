package dev.kiln.builder.session;

import dev.kiln.builder.engine.BuildOptions;
import dev.kiln.builder.output.BuildOutput;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.registry.Reference;
import dev.kiln.oci.Platform;
import java.util.List;
import java.util.Map;

/**
 * One build: what to build from ({@code input}), how ({@code plan}: build args, target, platforms;
 * {@code options}: labels, cache, compression, secrets…), what to call the image and where else to
 * write it.
 *
 * @param pull pull base images even when the store has them
 */
public record BuildRequest(BuildInput input, PlanOptions plan, BuildOptions options, List<Reference> names,
        List<BuildOutput> outputs, boolean pull) {

    public BuildRequest {
        names = List.copyOf(names);
        outputs = List.copyOf(outputs);
    }

    /** The Dockerfile in {@code input} with default plan and build options, unnamed, no outputs. */
    public static BuildRequest of(BuildInput input) {
        Platform platform = Platform.current();
        return new BuildRequest(input, new PlanOptions(Map.of(), null, platform.toString(), null),
                BuildOptions.defaults(platform), List.of(), List.of(), false);
    }

    public BuildRequest withNames(List<Reference> v) {
        return new BuildRequest(input, plan, options, v, outputs, pull);
    }

    public BuildRequest withOptions(BuildOptions v) {
        return new BuildRequest(input, plan, v, names, outputs, pull);
    }

    public BuildRequest withOutputs(List<BuildOutput> v) {
        return new BuildRequest(input, plan, options, names, v, pull);
    }
}
