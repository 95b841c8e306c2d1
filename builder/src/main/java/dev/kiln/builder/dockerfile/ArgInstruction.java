package dev.kiln.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/** {@code ARG name[=default] ...}. Defaults are expanded when the ARG is reached. */
public record ArgInstruction(SourceRange range, String text, List<Declaration> args) implements Instruction {

    /** One declared name with its default as written (null when none). */
    public record Declaration(String name, String defaultValue) {
        public Optional<String> defaultIfAny() {
            return Optional.ofNullable(defaultValue);
        }
    }

    public ArgInstruction {
        args = List.copyOf(args);
    }

    @Override
    public ArgInstruction expand(WordExpander x) {
        return new ArgInstruction(range, text, args.stream()
                .map(d -> new Declaration(d.name(), d.defaultValue() == null ? null : x.word(d.defaultValue())))
                .toList());
    }
}
