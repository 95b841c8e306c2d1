package dev.kiln.runtime;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.oci.layer.WhiteoutHandler;
import dev.kiln.oci.layer.Whiteouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * The overlay mode of layer extraction, for layer directories that become overlay lower dirs:
 * OCI's whiteouts ({@link Whiteouts}) are written in overlay's form ({@link OverlayMarkers}):
 * {@code .wh.NAME} becomes a whiteout device {@code NAME}, {@code .wh..wh..opq} marks its
 * directory opaque. The extractor has already resolved the paths safely inside the layer root and
 * refused a whiteout that names no entry; this class still refuses one ({@link Whiteouts#namesEntry}).
 */
public final class OverlayWhiteouts implements WhiteoutHandler {

    @Override
    public void whiteout(Path target, String relativePath) throws IOException {
        if (!Whiteouts.namesEntry(FileNames.name(target))) {
            throw new IOException("invalid whiteout for '" + relativePath + "'");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            FileTrees.delete(target); // an entry and its whiteout in one layer: the whiteout wins
        }
        OverlayFormat.writeWhiteout(target);
    }

    /** Entries this layer put in {@code dir} stay; the mark hides only what lower layers have. */
    @Override
    public void opaque(Path dir, String relativePath, Set<Path> keep) throws IOException {
        OverlayMarkers.markOpaque(dir);
    }

    @Override
    public boolean createsParentDirectories() {
        return true;
    }
}
