package dev.kiln.oci;

import java.io.IOException;
import java.io.InputStream;

/**
 * Somewhere blobs can be read by digest: a layout directory, a local store, a registry. Read-only.
 */
public interface BlobSource {
    /** Whether the blob is present. */
    boolean has(Digest digest) throws IOException;

    /**
     * Opens the blob's bytes. Callers close the stream.
     *
     * @throws BlobNotFoundException when the blob is not present
     */
    InputStream open(Digest digest) throws IOException;

    /** The whole blob; meant for small documents (manifests, configs). */
    default byte[] readAll(Digest digest) throws IOException {
        try (InputStream in = open(digest)) {
            return in.readAllBytes();
        }
    }
}
