package dev.kiln.oci.layer;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;

/**
 * A written layer.
 *
 * @param descriptor       media type (OCI, by compression), digest and size of the compressed blob
 * @param diffId           digest of the uncompressed tar (goes into the config's rootfs)
 * @param uncompressedSize length of the uncompressed tar
 * @param entries          tar entries written
 */
public record LayerResult(Descriptor descriptor, Digest diffId, long uncompressedSize, int entries) {
}
