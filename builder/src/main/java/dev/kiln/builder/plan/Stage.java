package dev.kiln.builder.plan;

import dev.kiln.builder.dockerfile.FromInstruction;
import dev.kiln.builder.dockerfile.Instruction;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One build stage: its position in the file, its name, its FROM and resolved base, the platform
 * asked with {@code FROM --platform} (expanded; null for the build's target platform), its
 * instructions after FROM (unexpanded; the engine expands them with a
 * {@link dev.kiln.builder.dockerfile.VariableScope}), the stages it needs, the images it copies
 * from, and the ARGs in scope at its end (null value = declared without one). {@code dependsOn}
 * iterates in ascending order, {@code copiedImages} in the order the file names them.
 */
public record Stage(
        int index,
        String name,
        FromInstruction from,
        BaseRef base,
        String platform,
        List<Instruction> instructions,
        Set<Integer> dependsOn,
        Set<String> copiedImages,
        Map<String, String> argsInScope) {

    public Stage {
        instructions = List.copyOf(instructions);
        dependsOn = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(dependsOn));
        copiedImages = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(copiedImages));
        argsInScope = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(argsInScope));
    }

    public Optional<String> stageName() {
        return Optional.ofNullable(name);
    }

    /** {@code name} or {@code #index} for messages. */
    public String label() {
        return name != null ? name : "#" + index;
    }
}
