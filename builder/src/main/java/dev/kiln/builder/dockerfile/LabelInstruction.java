package dev.kiln.builder.dockerfile;

import java.util.List;

/** {@code LABEL k=v ...}. */
public record LabelInstruction(SourceRange range, String text, List<KeyValue> labels) implements Instruction {
    public LabelInstruction {
        labels = List.copyOf(labels);
    }

    @Override
    public LabelInstruction expand(WordExpander x) {
        return new LabelInstruction(range, text, labels.stream().map(kv -> kv.expand(x)).toList());
    }
}
