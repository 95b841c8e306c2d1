package dev.kiln.builder.cli;

import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * The containers a command acts on, as docker names them ({@code CONTAINER...}: ids, id prefixes
 * or names; {@link ContainerState#find} resolves each); include with {@code @Mixin ContainerNames containers;}.
 */
final class ContainerNames {
    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Container IDs (or prefixes) or names.")
    List<String> names;
}
