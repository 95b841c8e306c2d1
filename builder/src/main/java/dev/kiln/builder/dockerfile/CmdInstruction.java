package dev.kiln.builder.dockerfile;

/** {@code CMD}: the default command (or default ENTRYPOINT arguments). */
public record CmdInstruction(SourceRange range, String text, Command command) implements Instruction {}
