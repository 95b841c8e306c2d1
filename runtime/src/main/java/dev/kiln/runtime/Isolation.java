package dev.kiln.runtime;

/** How containers are isolated; see docs/runtime.md. */
public enum Isolation {
    /** The best that works here: {@link #USERNS}, else {@link #CHROOT} when running as root. */
    AUTO,
    /** New mount, pid, uts and ipc namespaces (inside kiln's user namespace when rootless). */
    USERNS,
    /** No new namespaces: chroot into a private copy of the root filesystem (root only). */
    CHROOT
}
