package dev.kiln.oci;

import java.util.Optional;

/**
 * The root of kiln's unchecked exception family. Every subclass carries a message a user can act on
 * and, where one helps, a hint. The CLI prints {@link #getMessage()} and {@link #hint()}; stack
 * traces only with {@code --debug}.
 */
public class KilnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String hint;

    public KilnException(String message) {
        this(message, null, null);
    }

    public KilnException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public KilnException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user could do about it, if kiln knows. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
