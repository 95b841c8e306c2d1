package dev.kiln.runtime;

/** The container's network. */
public enum Network {
    /** The host's network namespace (the default, as for {@code docker build}). */
    HOST,
    /** A new, empty network namespace with only loopback, brought up. */
    NONE
}
