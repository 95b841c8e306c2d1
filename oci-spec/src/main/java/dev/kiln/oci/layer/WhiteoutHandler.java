package dev.kiln.oci.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * What extraction does with OCI whiteouts. Three modes: {@link #flatten()} deletes from the target
 * (layers extracted on top of each other into one rootfs), {@link RecordingWhiteouts} only records
 * them, and an overlay mode (in the runtime module: {@code .wh.NAME} → a whiteout device
 * {@code NAME}, opaque → a marked directory, in {@link OverlayMarkers}' form) for per-layer
 * overlay lower dirs.
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

    /**
     * Whether {@code .wh.} entries are whiteouts at all. When false they are extracted as the
     * ordinary files they are in a plain tar (ADD of an archive, a tar build context), and the
     * handler is never called.
     */
    default boolean appliesWhiteouts() {
        return true;
    }

    /** Deletes whited-out paths from the target directory, as when flattening layers into one rootfs. */
    static WhiteoutHandler flatten() {
        return new FlattenWhiteouts();
    }

    /** For plain tars, not layers: {@code .wh.} entries are files like any other (Docker's ADD). */
    static WhiteoutHandler none() {
        return new WhiteoutHandler() {
            @Override
            public void whiteout(Path target, String relativePath) {
                throw new IllegalStateException("not a layer: no whiteouts");
            }

            @Override
            public void opaque(Path dir, String relativePath, Set<Path> keep) {
                throw new IllegalStateException("not a layer: no whiteouts");
            }

            @Override
            public boolean appliesWhiteouts() {
                return false;
            }
        };
    }
}
