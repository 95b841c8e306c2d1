package dev.kiln.oci.layout;

import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Digest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A content-addressed blob store.
 *
 * <p>{@link #put} is idempotent (storing a blob that is present is a no-op that still reads and
 * verifies the input) and atomic (a blob is either absent or complete: it is written to a temp file,
 * verified, then renamed into place). Two processes may put the same blob at once. A blob whose
 * bytes do not match the expected digest or size is never stored.
 */
public interface BlobStore extends BlobSource {
    /**
     * Stores the bytes of {@code content}, verifying them against {@code expected} (null: compute
     * sha256) and {@code expectedSize} (negative: unknown).
     *
     * @return the digest of the stored blob
     * @throws dev.kiln.oci.DigestMismatchException when digest or size differ; nothing is stored
     */
    Digest put(InputStream content, Digest expected, long expectedSize) throws IOException;

    /**
     * A writer for a blob whose digest is known only once it is written (a layer being made):
     * bytes go straight into the store's temp space, {@link BlobWriter#commit} publishes them under
     * their digest, closing it uncommitted leaves nothing.
     */
    BlobWriter newWriter(String algorithm);

    /** Stores a small blob held in memory; returns its sha256 digest. */
    default Digest put(byte[] content) throws IOException {
        return put(new ByteArrayInputStream(content), null, content.length);
    }

    /** The blob's length in bytes. */
    long size(Digest digest) throws IOException;

    /** The file holding the blob, when the store keeps blobs as files (for hard links and copies). */
    default Optional<Path> path(Digest digest) throws IOException {
        return Optional.empty();
    }
}
