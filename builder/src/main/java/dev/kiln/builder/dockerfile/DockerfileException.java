package dev.kiln.builder.dockerfile;

import dev.kiln.oci.KilnException;
import java.util.Optional;

/**
 * A Dockerfile that kiln cannot accept. The message starts with {@code file:line:column} when the
 * location is known, names the offending text, and a hint may carry a "did you mean" suggestion.
 */
public final class DockerfileException extends KilnException {
    private static final long serialVersionUID = 1L;

    private final transient SourceRange range;
    private final String detail;

    public DockerfileException(SourceRange range, String detail) {
        this(range, detail, null);
    }

    public DockerfileException(SourceRange range, String detail, String hint) {
        super(range == null ? detail : range.position() + ": " + detail, hint, null);
        this.range = range;
        this.detail = detail;
    }

    /** Where the problem is, if known. */
    public Optional<SourceRange> range() {
        return Optional.ofNullable(range);
    }

    /** The message without the location prefix. */
    public String detail() {
        return detail;
    }

    /** This error re-anchored at {@code where}, unless it already has a location. */
    public DockerfileException at(SourceRange where) {
        return range != null ? this : new DockerfileException(where, detail, hint().orElse(null));
    }
}
