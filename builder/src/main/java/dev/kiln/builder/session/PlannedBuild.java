package dev.kiln.builder.session;

import dev.kiln.builder.dockerfile.DockerfileWarning;
import dev.kiln.builder.dockerfile.OnbuildInstruction;
import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.engine.context.BuildContext;
import dev.kiln.builder.plan.BuildPlan;
import java.util.List;

/**
 * A request planned by {@link BuildSession#plan}: the stages to build, the context with its ignore
 * rules, and the Dockerfile's warnings (to show before the build starts).
 */
public record PlannedBuild(BuildRequest request, BuildPlan plan, BuildContext context) {

    public List<DockerfileWarning> warnings() {
        return plan.warnings();
    }

    /** Whether a step runs a container (a RUN, or an ONBUILD RUN), which rootless kiln does in its user namespace. */
    public boolean needsContainers() {
        return plan.stages().stream().flatMap(st -> st.instructions().stream())
                .anyMatch(in -> in instanceof RunInstruction
                        || in instanceof OnbuildInstruction o && o.inner() instanceof RunInstruction);
    }
}
