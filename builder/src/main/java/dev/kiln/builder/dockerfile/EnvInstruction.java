package dev.kiln.builder.dockerfile;

import java.util.List;

/** {@code ENV k=v ...} or {@code ENV k v}; values are expanded (quotes removed) at dispatch. */
public record EnvInstruction(SourceRange range, String text, List<KeyValue> vars) implements Instruction {
    public EnvInstruction {
        vars = List.copyOf(vars);
    }

    @Override
    public EnvInstruction expand(WordExpander x) {
        return new EnvInstruction(range, text, vars.stream().map(kv -> kv.expand(x)).toList());
    }
}
