package dev.kiln.builder.engine.mount;

import dev.kiln.runtime.linux.OwnedTempDir;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Directories for secret files in memory ({@code /dev/shm}), each an {@link OwnedTempDir} held for
 * as long as its build step uses it. A kiln killed with SIGKILL cannot delete its secrets, but the
 * kernel drops its locks: the next kiln of the same user to make a secret directory removes every
 * one whose lock nobody holds.
 */
final class SecretDirs {
    /** Where secret directories go when it is usable: memory, never a disk. */
    static final Path IN_MEMORY = Path.of("/dev/shm");
    static final String PREFIX = "kiln-secret-";

    private SecretDirs() {}

    /** A new private (0700) directory under {@code parent}, deleted on close, after removing those killed kilns left. */
    static HeldDir create(Path parent) throws IOException {
        OwnedTempDir.sweep(parent, PREFIX);
        return HeldDir.owned(OwnedTempDir.create(parent, PREFIX));
    }
}
