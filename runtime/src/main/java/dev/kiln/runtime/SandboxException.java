package dev.kiln.runtime;

import dev.kiln.oci.KilnException;

/**
 * A container could not be set up or started: which step failed, with which errno, and what the
 * user can do about it.
 */
public class SandboxException extends KilnException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final int errno;

    public SandboxException(String message, String hint) {
        this(message, hint, null, 0, null);
    }

    public SandboxException(String message, String hint, String step, int errno, Throwable cause) {
        super(message, hint, cause);
        this.step = step;
        this.errno = errno;
    }

    /** The setup step that failed ("mount overlay on …"), or null. */
    public String step() {
        return step;
    }

    /** The errno of the failed system call, or 0. */
    public int errno() {
        return errno;
    }
}
