package dev.kiln.oci.layer;

import dev.kiln.oci.KilnException;

/** A layer that cannot be extracted or written, e.g. an entry that would escape the root. */
public class LayerException extends KilnException {
    private static final long serialVersionUID = 1L;

    public LayerException(String message) {
        super(message);
    }

    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
