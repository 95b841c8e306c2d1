package dev.kiln.oci.layer;

import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;

/**
 * A layer whose uncompressed tar does not hash to the diff ID its image's config claims for it.
 * Such an image is corrupt or hostile (it could pass another image's diff ID off as its own and
 * poison everything kept by diff ID), so nothing of the layer is kept.
 */
public final class DiffIdMismatchException extends DigestMismatchException {
    private static final long serialVersionUID = 1L;

    private final String image;
    private final transient Digest layer;

    /**
     * @param image the image whose config lists the layer, or null when the caller does not know
     *     it (see {@link #inImage})
     * @param layer the digest of the layer blob
     */
    public DiffIdMismatchException(String image, Digest layer, Digest claimed, Digest actual) {
        super((image == null ? "" : "image " + image + ": ") + "layer " + layer
                + " claims diff ID " + claimed + " but its uncompressed content is " + actual,
                claimed, actual,
                "the image is corrupt or was made to pass this layer off as another one; nothing of it was kept");
        this.image = image;
        this.layer = layer;
    }

    /** The same error naming the image the layer came from (if it named none yet). */
    public DiffIdMismatchException inImage(String name) {
        return image != null ? this : new DiffIdMismatchException(name, layer, expected(), actual());
    }

    public Digest layer() {
        return layer;
    }
}
