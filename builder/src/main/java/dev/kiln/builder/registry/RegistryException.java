package dev.kiln.builder.registry;

import dev.kiln.oci.KilnException;

/**
 * A registry said no, or could not be reached. Carries the HTTP status (0 when there was no
 * response), the registry's own error code ({@code UNAUTHORIZED}, {@code MANIFEST_UNKNOWN}, ...)
 * when it sent one, and whether trying again could help.
 */
public final class RegistryException extends KilnException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final boolean retryable;

    public RegistryException(String message, int status, String code, boolean retryable,
            String hint, Throwable cause) {
        super(message, hint, cause);
        this.status = status;
        this.code = code;
        this.retryable = retryable;
    }

    public RegistryException(String message, String hint) {
        this(message, 0, null, false, hint, null);
    }

    /** The HTTP status, or 0 if no response was received. */
    public int status() {
        return status;
    }

    /** The registry's error code, or null. */
    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** True for 401 and 403: credentials are missing, wrong or not enough. */
    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }

    /** True when the registry says the thing asked for does not exist. */
    public boolean isNotFound() {
        return status == 404;
    }
}
