package dev.kiln.builder.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;

/**
 * Work a pull does on a layer blob's bytes while they download (the build extracts a base layer
 * it will run on), so that pulling and that work take about as long as the slower of the two,
 * not the sum. The bytes reach a {@link Sink} before they are verified: it must keep nothing
 * visible until {@link Sink#finish} (the blob is then verified and stored, and the diff ID its
 * config claims known) and keep nothing at all after {@link Sink#abandon}. Only blobs the pull
 * downloads are offered; one already in the store is not.
 */
@FunctionalInterface
public interface LayerTap {
    /** No work: the layers are only stored. */
    LayerTap NONE = blob -> null;

    /** A sink for the bytes of the layer blob {@code blob}, about to be downloaded; null to leave it alone. */
    Sink open(Descriptor blob);

    /** Where one blob's bytes go as they arrive. */
    interface Sink {
        /** The next bytes of the blob, in order (not yet verified). */
        void write(byte[] b, int off, int len);

        /**
         * All of the blob was written, it is verified and stored, and the image's config claims
         * {@code diffId} for it: completes the work, keeping it only if the bytes are that layer.
         *
         * @return whether the work was kept
         */
        boolean finish(Digest diffId);

        /** Throws the work away: the download failed or starts over, or the pull failed. */
        void abandon();
    }
}
