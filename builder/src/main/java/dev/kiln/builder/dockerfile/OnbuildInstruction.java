package dev.kiln.builder.dockerfile;

/**
 * {@code ONBUILD instruction}: a trigger stored in the image config and run by builds that use the
 * image as a base. {@code trigger} is the inner instruction's text as stored in the config.
 */
public record OnbuildInstruction(SourceRange range, String text, String trigger, Instruction inner)
        implements Instruction {}
