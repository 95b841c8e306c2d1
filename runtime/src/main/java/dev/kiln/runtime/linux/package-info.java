/**
 * Linux system calls through JNA (direct mapping, package-private {@code LibC}), and the pieces
 * built on them that the runtime needs: the spawner JVM and its client, the op programs a cloned
 * child runs before exec, the user-namespace launcher, and a few plain syscalls. Nothing here
 * knows about images or containers' meaning.
 */
package dev.kiln.runtime.linux;
