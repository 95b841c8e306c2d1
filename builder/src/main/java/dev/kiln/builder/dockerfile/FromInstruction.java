package dev.kiln.builder.dockerfile;

import java.util.Optional;

/** {@code FROM [--platform=P] image [AS name]}; the stage name is lower-cased. */
public record FromInstruction(SourceRange range, String text, String image, String stageName, String platform)
        implements Instruction {

    /** The stage name given with {@code AS}, if any. */
    public Optional<String> name() {
        return Optional.ofNullable(stageName);
    }

    public Optional<String> platformFlag() {
        return Optional.ofNullable(platform);
    }

    @Override
    public FromInstruction expand(WordExpander x) {
        return new FromInstruction(range, text, x.word(image), stageName, platform == null ? null : x.word(platform));
    }
}
