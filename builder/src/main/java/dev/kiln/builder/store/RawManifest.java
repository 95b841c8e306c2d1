package dev.kiln.builder.store;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or index exactly as served or stored: its bytes, its media type and the digest of
 * those bytes. Parsing never changes the bytes, so copying one keeps its digest.
 */
public record RawManifest(MediaType mediaType, byte[] bytes, Digest digest) {

    public RawManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        bytes = bytes.clone();
    }

    /** Wraps bytes, computing their sha256 digest and taking the media type from the document if not given. */
    public static RawManifest of(byte[] bytes, MediaType mediaType) {
        MediaType type = mediaType != null ? mediaType : Json.detectMediaType(bytes);
        return new RawManifest(type, bytes, Digest.sha256(bytes));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public long size() {
        return bytes.length;
    }

    public boolean isIndex() {
        return mediaType.isIndex();
    }

    public Parsed<Manifest> manifest() {
        return Parsed.verified(Json.read(bytes, Manifest.class), bytes, digest, "manifest " + digest);
    }

    public Parsed<Index> index() {
        return Parsed.verified(Json.read(bytes, Index.class), bytes, digest, "index " + digest);
    }

    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawManifest r && r.digest.equals(digest) && r.mediaType.equals(mediaType)
                && Arrays.equals(r.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "RawManifest[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
    }
}
