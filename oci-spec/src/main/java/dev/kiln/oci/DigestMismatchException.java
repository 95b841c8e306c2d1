package dev.kiln.oci;

/** Content whose bytes do not hash to the digest (or size) it was announced with. */
public class DigestMismatchException extends KilnException {
    private static final long serialVersionUID = 1L;

    private final transient Digest expected;
    private final transient Digest actual;

    public DigestMismatchException(String what, Digest expected, Digest actual) {
        super(what + ": digest mismatch: expected " + expected + ", got " + actual,
                "the content was corrupted in transit or at its source; nothing was stored", null);
        this.expected = expected;
        this.actual = actual;
    }

    /** A mismatch described by {@code message} in full, with its own hint. */
    protected DigestMismatchException(String message, Digest expected, Digest actual, String hint) {
        super(message, hint, null);
        this.expected = expected;
        this.actual = actual;
    }

    public DigestMismatchException(String what, Digest expected, long expectedSize, long actualSize) {
        super(what + ": size mismatch for " + expected + ": expected " + expectedSize + " bytes, got "
                + actualSize, "the content was truncated or corrupted; nothing was stored", null);
        this.expected = expected;
        this.actual = null;
    }

    public Digest expected() {
        return expected;
    }

    /** The digest actually computed; null when the size was already wrong. */
    public Digest actual() {
        return actual;
    }
}
