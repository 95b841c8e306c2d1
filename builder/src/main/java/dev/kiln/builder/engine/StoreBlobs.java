package dev.kiln.builder.engine;

import dev.kiln.builder.store.BlobWriter;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Digest;
import dev.kiln.oci.layout.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/** The local store's blobs as a {@link BlobStore} (verified, atomic writes through {@link BlobWriter}). */
public final class StoreBlobs implements BlobStore {
    private final LocalStore store;

    public StoreBlobs(LocalStore store) {
        this.store = store;
    }

    @Override
    public boolean has(Digest digest) {
        return store.hasBlob(digest);
    }

    @Override
    public InputStream open(Digest digest) {
        return store.openBlob(digest);
    }

    @Override
    public Digest put(InputStream content, Digest expected, long expectedSize) throws IOException {
        if (expected != null && store.hasBlob(expected)) {
            content.transferTo(OutputStream.nullOutputStream());
            return expected;
        }
        try (BlobWriter w = store.newBlob(expected == null ? Digest.SHA256 : expected.algorithm())) {
            content.transferTo(w);
            return w.commit("blob " + (expected == null ? "" : expected), expected, expectedSize);
        }
    }

    @Override
    public long size(Digest digest) {
        return store.blobSize(digest);
    }

    @Override
    public Optional<Path> path(Digest digest) {
        return store.hasBlob(digest) ? Optional.of(store.blobPath(digest)) : Optional.empty();
    }
}
