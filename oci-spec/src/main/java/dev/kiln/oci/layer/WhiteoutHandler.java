package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * What extraction does with OCI whiteouts. Three modes: {@link #flatten()} deletes from the target
 * (layers extracted on top of each other into one rootfs), {@link RecordingWhiteouts} only records
 * them, and an overlay mode (in the runtime module: {@code .wh.NAME} → a 0/0 character device
 * {@code NAME}, opaque → {@code user.overlay.opaque=y}) for per-layer overlay lower dirs.
 * Paths given are already resolved safely inside the extraction root and never followed.
 */
public interface WhiteoutHandler {
    /**
     * Entry {@code .wh.NAME} was met.
     *
     * @param target       {@code <dir>/NAME}; its parent is a real directory inside the root
     * @param relativePath {@code NAME}'s path relative to the root, for records
     */
    void whiteout(Path target, String relativePath) throws IOException;

    /**
     * Entry {@code .wh..wh..opq} was met in {@code dir}.
     *
     * @param keep the paths this layer itself has already put under {@code dir}; they stay
     */
    void opaque(Path dir, String relativePath, Set<Path> keep) throws IOException;

    /**
     * Whether the directory holding a whiteout must exist before the handler is called (overlay
     * mode puts a device node there). When false, whiteouts in absent directories make no
     * directories.
     */
    default boolean createsParentDirectories() {
        return false;
    }

    /** Deletes whited-out paths from the target directory, as when flattening layers into one rootfs. */
    static WhiteoutHandler flatten() {
        return new FlattenWhiteouts();
    }
}
