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
 * with EINVAL, as without kiln's recorder); and a directory where the start-up probe's answer is
 * remembered for the next sandbox with the same upper dirs (null: probe at every open; see
 * {@link ProbeMemo}).
 */
public record SandboxOptions(Isolation isolation, Path upperDirs, boolean overlay, boolean recordOwners,
        Path probeMemos) {
    public SandboxOptions {
        Objects.requireNonNull(isolation, "isolation");
    }

    public static SandboxOptions of(Isolation isolation) {
        return new SandboxOptions(isolation, null, true, true, null);
    }

    public SandboxOptions withUpperDirs(Path dir) {
        return new SandboxOptions(isolation, dir, overlay, recordOwners, probeMemos);
    }

    public SandboxOptions withOverlay(boolean use) {
        return new SandboxOptions(isolation, upperDirs, use, recordOwners, probeMemos);
    }

    public SandboxOptions withRecordOwners(boolean record) {
        return new SandboxOptions(isolation, upperDirs, overlay, record, probeMemos);
    }

    /**
     * Remembers the start-up probe's answer in {@code dir} (when everything works) and uses a
     * remembered one instead of probing.
     */
    public SandboxOptions withProbeMemos(Path dir) {
        return new SandboxOptions(isolation, upperDirs, overlay, recordOwners, dir);
    }
}
