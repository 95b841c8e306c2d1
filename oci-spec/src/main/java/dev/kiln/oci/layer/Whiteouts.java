package dev.kiln.oci.layer;

/**
 * The OCI whiteout naming convention, in one place: how a layer tar says "delete" by name. Every
 * reader and writer of {@code .wh.} names calls this class (the extractor, {@link LayerEntry},
 * the builder's tar listings); overlayfs's on-disk form of the same deletions is
 * {@link OverlayMarkers}'.
 *
 * <ul>
 *   <li>an entry {@code DIR/.wh.NAME} deletes {@code DIR/NAME} from the layers below;</li>
 *   <li>an entry {@code DIR/.wh..wh..opq} makes {@code DIR} opaque: nothing of the layers below
 *       shows through it;</li>
 *   <li>names starting {@code .wh..wh.} ({@link #META_PREFIX}) are reserved for meta markers
 *       (Docker's {@code WhiteoutMetaPrefix}; AUFS kept {@code .wh..wh.plnk} there). OCI defines
 *       only the opaque one; kiln gives the others no meaning of their own, so they read as
 *       whiteouts of {@code .wh.REST} (Docker's extractor skips them);</li>
 *   <li>a whiteout names an entry: {@code .wh.}, {@code .wh..} and {@code .wh...} are refused
 *       where a layer is applied ({@link #namesEntry}).</li>
 * </ul>
 */
public final class Whiteouts {
    /** A file {@code .wh.NAME} deletes {@code NAME} from the layers below. */
    public static final String PREFIX = ".wh.";
    /** The prefix reserved for whiteout meta markers ({@code .wh..wh.}). */
    public static final String META_PREFIX = PREFIX + PREFIX;
    /** A file with this name makes its directory opaque: nothing below shows through. */
    public static final String OPAQUE = META_PREFIX + ".opq";

    private Whiteouts() {
    }

    /** Whether a base name is a whiteout marker of either kind. */
    public static boolean isWhiteout(String baseName) {
        return baseName.startsWith(PREFIX);
    }

    public static boolean isOpaque(String baseName) {
        return baseName.equals(OPAQUE);
    }

    /** The name a {@code .wh.NAME} marker deletes. */
    public static String target(String baseName) {
        return baseName.substring(PREFIX.length());
    }

    /**
     * Whether {@code target} (what a {@code .wh.} marker names) is an entry a whiteout can delete:
     * not empty, {@code .} or {@code ..}.
     */
    public static boolean namesEntry(String target) {
        return !target.isEmpty() && !target.equals(".") && !target.equals("..");
    }

    /**
     * The path a whiteout marker deletes: {@code dir/NAME} for marker {@code baseName}
     * ({@code .wh.NAME}) in directory {@code dir} ({@code ""} for the root).
     */
    public static String deletedPath(String dir, String baseName) {
        String target = target(baseName);
        return dir.isEmpty() ? target : dir + "/" + target;
    }

    /** The marker name that deletes {@code name}. */
    public static String markerFor(String name) {
        return PREFIX + name;
    }

    /** The marker path that deletes {@code path} (clean, relative, not the root): {@code dir/.wh.NAME}. */
    public static String markerPath(String path) {
        int slash = path.lastIndexOf('/');
        return (slash < 0 ? "" : path.substring(0, slash + 1)) + markerFor(path.substring(slash + 1));
    }

    /** The marker path that makes directory {@code dir} (clean, relative, not the root) opaque. */
    public static String opaqueMarkerPath(String dir) {
        return dir + "/" + OPAQUE;
    }
}
