package dev.kiln.oci.layer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Records whiteouts without touching the filesystem: for inspecting a layer, or for a caller that
 * applies them itself. Paths are relative to the extraction root.
 */
public final class RecordingWhiteouts implements WhiteoutHandler {
    private final List<String> whiteouts = new ArrayList<>();
    private final List<String> opaqueDirs = new ArrayList<>();

    @Override
    public void whiteout(Path target, String relativePath) {
        whiteouts.add(relativePath);
    }

    @Override
    public void opaque(Path dir, String relativePath, Set<Path> keep) {
        opaqueDirs.add(relativePath);
    }

    /** Paths deleted by {@code .wh.} entries, in tar order. */
    public List<String> whiteouts() {
        return Collections.unmodifiableList(whiteouts);
    }

    /** Directories made opaque, in tar order ({@code ""} is the root). */
    public List<String> opaqueDirs() {
        return Collections.unmodifiableList(opaqueDirs);
    }
}
