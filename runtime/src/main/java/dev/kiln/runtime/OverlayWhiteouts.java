package dev.kiln.runtime;

import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.WhiteoutHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * The overlay mode of layer extraction, for layer directories that become overlay lower dirs:
 * {@code .wh.NAME} becomes a 0/0 character device {@code NAME}, {@code .wh..wh..opq} marks its
 * directory {@code user.overlay.opaque=y}. The extractor has already resolved the paths safely
 * inside the layer root; this class still refuses a target named {@code .} or {@code ..}.
 */
public final class OverlayWhiteouts implements WhiteoutHandler {

    @Override
    public void whiteout(Path target, String relativePath) throws IOException {
        Path name = target.getFileName();
        if (name == null || name.toString().equals(".") || name.toString().equals("..")) {
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
        OverlayFormat.markOpaque(dir);
    }

    @Override
    public boolean createsParentDirectories() {
        return true;
    }
}
