package dev.kiln.builder.dockerfile;

import java.util.List;

/**
 * Expands Dockerfile words against one environment (a stage's ARGs and ENVs at one instruction).
 * Get one from {@link ShellLex#expander(java.util.Map)}; the build engine calls it per instruction.
 */
public interface WordExpander {

    /** Expands one word: substitutes variables and removes quotes, without splitting. */
    String word(String word);

    /** Expands and splits into words on whitespace outside quotes, as a shell would. */
    List<String> words(String text);

    /**
     * Expands variables in heredoc text, keeping quotes and escape characters as written (how
     * BuildKit expands unquoted {@code COPY <<EOF} bodies).
     */
    String heredoc(String text);

    /** Expands every element of {@code words} as a single word. */
    default List<String> each(List<String> words) {
        return words.stream().map(this::word).toList();
    }
}
