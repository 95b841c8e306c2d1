package dev.kiln.builder.dockerfile;

/** {@code ENTRYPOINT}. */
public record EntrypointInstruction(SourceRange range, String text, Command command) implements Instruction {}
