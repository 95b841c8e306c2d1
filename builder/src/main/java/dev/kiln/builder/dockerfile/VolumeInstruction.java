package dev.kiln.builder.dockerfile;

import java.util.List;

/** {@code VOLUME path...}. */
public record VolumeInstruction(SourceRange range, String text, List<String> paths) implements Instruction {
    public VolumeInstruction {
        paths = List.copyOf(paths);
    }

    @Override
    public VolumeInstruction expand(WordExpander x) {
        return new VolumeInstruction(range, text, x.each(paths));
    }
}
