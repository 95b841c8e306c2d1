package dev.kiln.builder.dockerfile;

/** {@code STOPSIGNAL signal}. */
public record StopSignalInstruction(SourceRange range, String text, String signal) implements Instruction {
    @Override
    public StopSignalInstruction expand(WordExpander x) {
        return new StopSignalInstruction(range, text, x.word(signal));
    }
}
