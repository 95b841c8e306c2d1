package dev.kiln.builder.dockerfile;

/** {@code MAINTAINER name} (deprecated; kiln warns and records it as the author). */
public record MaintainerInstruction(SourceRange range, String text, String maintainer) implements Instruction {}
