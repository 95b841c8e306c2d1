package dev.kiln.builder.dockerfile;

/** {@code WORKDIR path}. */
public record WorkdirInstruction(SourceRange range, String text, String path) implements Instruction {
    @Override
    public WorkdirInstruction expand(WordExpander x) {
        return new WorkdirInstruction(range, text, x.word(path));
    }
}
