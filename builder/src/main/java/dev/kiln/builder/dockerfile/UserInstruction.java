package dev.kiln.builder.dockerfile;

/** {@code USER user[:group]}. */
public record UserInstruction(SourceRange range, String text, String user) implements Instruction {
    @Override
    public UserInstruction expand(WordExpander x) {
        return new UserInstruction(range, text, x.word(user));
    }
}
