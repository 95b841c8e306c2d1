package dev.kiln.builder.engine;

import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.oci.KilnException;
import java.util.Optional;

/** A build step failed; the message starts with the Dockerfile position of the instruction. */
public class StepException extends KilnException {
    private final transient SourceRange range;

    public StepException(SourceRange range, String detail, String hint) {
        super(range == null ? detail : range.position() + ": " + detail, hint, null);
        this.range = range;
    }

    public StepException(SourceRange range, String detail, String hint, Throwable cause) {
        super(range == null ? detail : range.position() + ": " + detail, hint, cause);
        this.range = range;
    }

    public Optional<SourceRange> range() {
        return Optional.ofNullable(range);
    }
}
