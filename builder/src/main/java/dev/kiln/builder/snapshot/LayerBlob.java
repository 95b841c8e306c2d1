package dev.kiln.builder.snapshot;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import java.util.Objects;

/**
 * One layer as stored: the descriptor of its compressed blob and the digest of its uncompressed
 * tar (the diff ID the image config lists).
 */
public record LayerBlob(Descriptor descriptor, Digest diffId) {
    public LayerBlob {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(diffId, "diffId");
    }
}
