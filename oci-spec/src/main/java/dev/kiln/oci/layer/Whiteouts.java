package dev.kiln.oci.layer;

/** The OCI whiteout naming convention, in one place. */
public final class Whiteouts {
    /** A file {@code .wh.NAME} deletes {@code NAME} from the layers below. */
    public static final String PREFIX = ".wh.";
    /** A file with this name makes its directory opaque: nothing below shows through. */
    public static final String OPAQUE = ".wh..wh..opq";

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

    /** The marker name that deletes {@code name}. */
    public static String markerFor(String name) {
        return PREFIX + name;
    }
}
