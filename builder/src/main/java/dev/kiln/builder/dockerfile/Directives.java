package dev.kiln.builder.dockerfile;

import java.util.Optional;

/**
 * The parser directives found at the top of a Dockerfile: the escape character ({@code \} unless
 * {@code # escape=`}), and the {@code syntax} and {@code check} values, which kiln records but does
 * not act on (it has one frontend).
 */
public record Directives(char escape, String syntax, String check) {

    public static final Directives DEFAULT = new Directives('\\', null, null);

    public Directives {
        if (escape != '\\' && escape != '`') {
            throw new IllegalArgumentException("escape must be \\ or `");
        }
    }

    public Optional<String> syntaxValue() {
        return Optional.ofNullable(syntax);
    }

    public Optional<String> checkValue() {
        return Optional.ofNullable(check);
    }
}
