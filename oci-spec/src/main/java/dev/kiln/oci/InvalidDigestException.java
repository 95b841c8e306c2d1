package dev.kiln.oci;

/** A digest string that is not {@code sha256:<64 hex>} or {@code sha512:<128 hex>}. */
public class InvalidDigestException extends KilnException {
    private static final long serialVersionUID = 1L;

    public InvalidDigestException(String text, String reason) {
        super("invalid digest '" + text + "': " + reason);
    }
}
