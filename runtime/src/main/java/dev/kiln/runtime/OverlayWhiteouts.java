package dev.kiln.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What layer extraction does with OCI whiteouts when the layer directory will be an overlay lower
 * dir: {@code .wh.NAME} becomes a 0/0 character device {@code NAME}, {@code .wh..wh..opq} marks
 * its directory opaque. The extractor has already resolved {@code dir} safely inside the layer
 * root; this class refuses names that would leave it.
 */
public final class OverlayWhiteouts {
    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE_MARKER = ".wh..wh..opq";

    /** {@code dir/.wh.NAME} was in the layer: record that {@code NAME} is deleted. */
    public void whiteout(Path dir, String name) throws IOException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new IOException("invalid whiteout name '" + WHITEOUT_PREFIX + name + "' in " + dir);
        }
        Path target = dir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Tree.delete(target); // an entry and its whiteout in one layer: the whiteout wins
        }
        OverlayFormat.writeWhiteout(target);
    }

    /** {@code dir/.wh..wh..opq} was in the layer: hide everything lower layers have in dir. */
    public void opaque(Path dir) throws IOException {
        OverlayFormat.markOpaque(dir);
    }

    /** True when a tar entry's file name is any kind of OCI whiteout. */
    public static boolean isWhiteoutName(String fileName) {
        return fileName.startsWith(WHITEOUT_PREFIX);
    }
}
