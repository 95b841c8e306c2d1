package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link Sandbox}: the isolation asked for; where the upper dirs of
 * {@link RootFs.Overlay} executions will live (the overlay probe mounts there, since whether
 * overlay works depends on that file system; null: the sandbox's own run directory); and whether
 * to use overlay at all (false: every container gets a private copy of its root and its changes
 * are found by a tree walk, as when overlay is unavailable); and whether, where only root is
 * mapped, containers' chown calls succeed and are recorded as {@link OwnerTags} (false: they fail
 * with EINVAL, as without kiln's recorder).
 */
public record SandboxOptions(Isolation isolation, Path upperDirs, boolean overlay, boolean recordOwners) {
    public SandboxOptions {
        Objects.requireNonNull(isolation, "isolation");
    }

    public static SandboxOptions of(Isolation isolation) {
        return new SandboxOptions(isolation, null, true, true);
    }

    public SandboxOptions withUpperDirs(Path dir) {
        return new SandboxOptions(isolation, dir, overlay, recordOwners);
    }

    public SandboxOptions withOverlay(boolean use) {
        return new SandboxOptions(isolation, upperDirs, use, recordOwners);
    }

    public SandboxOptions withRecordOwners(boolean record) {
        return new SandboxOptions(isolation, upperDirs, overlay, record);
    }
}
