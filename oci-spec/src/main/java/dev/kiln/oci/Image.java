package dev.kiln.oci;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;

/**
 * One single-platform image: its manifest and config, each with raw bytes, and where to read its
 * layers from. A read-only view; change it by making a new one.
 *
 * @param manifest the manifest as stored (its digest is the image's manifest digest)
 * @param config   the config blob as stored (its digest is the image ID)
 * @param blobs    where the layer blobs (and the config) can be read
 */
public record Image(Parsed<Manifest> manifest, Parsed<ImageConfig> config, BlobSource blobs) {
    public Image {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(blobs, "blobs");
        if (!manifest.value().config().digest().equals(config.digest())) {
            throw new DigestMismatchException("image config", manifest.value().config().digest(), config.digest());
        }
    }

    /**
     * Reads the image whose manifest is {@code manifestBytes} from {@code blobs}: parses the
     * manifest, fetches and parses its config (verifying the config's digest).
     */
    public static Image read(byte[] manifestBytes, BlobSource blobs) throws IOException {
        Parsed<Manifest> manifest = Json.parseManifest(manifestBytes);
        Descriptor configDescriptor = manifest.value().config();
        byte[] configBytes = blobs.readAll(configDescriptor.digest());
        ImageConfig config = Json.read(configBytes, ImageConfig.class);
        return new Image(manifest, Parsed.verified(config, configBytes, configDescriptor.digest(), "image config"),
                blobs);
    }

    /** The media type of the manifest, OCI's when the document does not say. */
    public MediaType mediaType() {
        return manifest.value().effectiveMediaType();
    }

    /** A descriptor of the manifest, for an index entry or a tag. */
    public Descriptor descriptor() {
        return manifest.descriptor(mediaType());
    }

    /** The layer descriptors, base first. */
    public List<Descriptor> layers() {
        return manifest.value().layers();
    }

    /** The digests of the uncompressed layers, base first, as the config lists them. */
    public List<Digest> diffIds() {
        return config.value().rootfs().diffIds();
    }

    /** Opens the (possibly compressed) blob of {@code layer}. */
    public InputStream openLayer(Descriptor layer) throws IOException {
        return blobs.open(layer.digest());
    }

    /** The image ID as Docker shows it: the config digest. */
    public Digest id() {
        return config.digest();
    }

    public Platform platform() {
        return config.value().platform();
    }
}
