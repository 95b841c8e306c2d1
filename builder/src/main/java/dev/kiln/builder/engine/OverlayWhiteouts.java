package dev.kiln.builder.engine;

import dev.kiln.oci.layer.WhiteoutHandler;
import dev.kiln.runtime.OverlayFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Extraction of one layer into its own overlay lower dir: {@code .wh.NAME} becomes overlay's
 * whiteout (a 0/0 character device {@code NAME}), {@code .wh..wh..opq} marks the directory opaque
 * ({@code user.overlay.opaque=y}); this layer's own entries in it stay.
 */
final class OverlayWhiteouts implements WhiteoutHandler {
    @Override
    public void whiteout(Path target, String relativePath) throws IOException {
        OverlayFormat.writeWhiteout(target);
    }

    @Override
    public void opaque(Path dir, String relativePath, Set<Path> keep) throws IOException {
        OverlayFormat.markOpaque(dir);
    }
}
