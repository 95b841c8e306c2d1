package dev.kiln.builder.registry;

import dev.kiln.oci.KilnException;

/** An image reference that cannot be parsed; the message quotes the input and the problem. */
public final class InvalidReferenceException extends KilnException {
    private static final long serialVersionUID = 1L;

    private final String problem;

    public InvalidReferenceException(String input, String problem) {
        super("invalid image reference '" + input + "': " + problem,
                "references look like NAME[:TAG][@DIGEST], e.g. busybox:latest or "
                        + "127.0.0.1:5000/team/app@sha256:<64 hex>",
                null);
        this.problem = problem;
    }

    public String problem() {
        return problem;
    }
}
