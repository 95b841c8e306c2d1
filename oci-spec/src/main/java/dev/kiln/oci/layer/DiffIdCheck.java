package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Verifies a layer's diff ID in the same pass as whoever reads it: {@link #stream()} gives the
 * uncompressed tar (read it with an extractor or a tar reader), {@link #finish()} reads what is
 * left and compares the digest of all of it with the diff ID the image's config claims. Whatever
 * was made from the stream may be kept under that diff ID only when {@code finish} returned.
 */
public final class DiffIdCheck {
    private final Digest layer;
    private final Digest claimed;
    private final DigestingInputStream plain;

    private DiffIdCheck(Digest layer, Digest claimed, DigestingInputStream plain) {
        this.layer = layer;
        this.claimed = claimed;
        this.plain = plain;
    }

    /**
     * @param blob    the layer blob as stored (compression detected from its bytes)
     * @param layer   the blob's digest, for the error
     * @param claimed the diff ID the config lists for it
     */
    public static DiffIdCheck of(InputStream blob, Digest layer, Digest claimed) throws IOException {
        return new DiffIdCheck(layer, claimed,
                DigestingInputStream.forVerifying(Compression.autoDecompress(blob), claimed));
    }

    /** The uncompressed tar. */
    public InputStream stream() {
        return plain;
    }

    /**
     * Reads the rest of the stream and checks the diff ID.
     *
     * @return the verified diff ID
     * @throws DiffIdMismatchException when the content is not what the config claims
     */
    public Digest finish() throws IOException {
        plain.transferTo(OutputStream.nullOutputStream());
        Digest actual = plain.digest();
        if (!actual.equals(claimed)) {
            throw new DiffIdMismatchException(null, layer, claimed, actual);
        }
        return actual;
    }
}
