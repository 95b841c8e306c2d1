package dev.kiln.oci.layer;

import dev.kiln.oci.BytePipe;
import dev.kiln.oci.Compression;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Verifies a layer's diff ID in the same pass as whoever reads it: {@link #stream()} gives the
 * uncompressed tar (read it with an extractor or a tar reader), {@link #finish()} reads what is
 * left and compares the digest of all of it with the diff ID the image's config claims. Whatever
 * was made from the stream may be kept under that diff ID only when {@code finish} returned.
 * {@link #close} after use (it stops the thread of {@link #readingAhead}).
 */
public final class DiffIdCheck implements AutoCloseable {
    /** What {@link #readingAhead} keeps ready: six chunks of 256 KiB, as many as the reader may be behind. */
    private static final int AHEAD_CHUNK = 1 << 18;
    private static final int AHEAD_CHUNKS = 6;
    private final Digest layer;
    private final Digest claimed;
    private final DigestingInputStream digesting;
    private final InputStream plain;

    private DiffIdCheck(Digest layer, Digest claimed, DigestingInputStream digesting, InputStream plain) {
        this.layer = layer;
        this.claimed = claimed;
        this.digesting = digesting;
        this.plain = plain;
    }

    /**
     * @param blob    the layer blob as stored (compression detected from its bytes)
     * @param layer   the blob's digest, for the error
     * @param claimed the diff ID the config lists for it
     */
    public static DiffIdCheck of(InputStream blob, Digest layer, Digest claimed) throws IOException {
        DigestingInputStream digesting = DigestingInputStream.forVerifying(Compression.autoDecompress(blob), claimed);
        return new DiffIdCheck(layer, claimed, digesting, digesting);
    }

    /**
     * As {@link #of}, with the decompressing and digesting done ahead of the reader on a thread of
     * its own ({@link BytePipe#readingAhead}) when the machine has more than one core: for a reader
     * with work of its own per byte, such as an extraction.
     */
    public static DiffIdCheck readingAhead(InputStream blob, Digest layer, Digest claimed) throws IOException {
        return readingAhead(blob, layer, claimed, claimed.algorithm());
    }

    /**
     * As {@link #readingAhead(InputStream, Digest, Digest)} for a layer whose claimed diff ID is
     * learned only after its bytes were read (a blob extracted while it downloads, before the
     * image's config is read): the tar is digested with SHA-256, and {@link #finish(Digest)}
     * compares. A claim in another algorithm never matches.
     */
    public static DiffIdCheck readingAhead(InputStream blob, Digest layer) throws IOException {
        return readingAhead(blob, layer, null, Digest.SHA256);
    }

    private static DiffIdCheck readingAhead(InputStream blob, Digest layer, Digest claimed, String algorithm)
            throws IOException {
        DigestingInputStream digesting = new DigestingInputStream(Compression.autoDecompress(blob),
                Digester.of(algorithm));
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return new DiffIdCheck(layer, claimed, digesting, digesting);
        }
        return new DiffIdCheck(layer, claimed, digesting,
                BytePipe.readingAhead(digesting, "kiln-layer-inflate", AHEAD_CHUNK, AHEAD_CHUNKS));
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
        return finish(claimed);
    }

    /** As {@link #finish()}, with the diff ID the config claims given now. */
    public Digest finish(Digest claimed) throws IOException {
        plain.transferTo(OutputStream.nullOutputStream());
        Digest actual = digesting.digest();
        if (!actual.equals(claimed)) {
            throw new DiffIdMismatchException(null, layer, claimed, actual);
        }
        return actual;
    }

    /** Stops reading ahead, if this check does; the blob stream stays its owner's to close. */
    @Override
    public void close() throws IOException {
        if (plain != digesting) {
            plain.close();
        }
    }
}
