package dev.kiln.builder.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.oci.Digest;
import dev.kiln.oci.MediaType;
import java.util.Objects;

/**
 * One named image in the local store.
 *
 * @param name the full reference it is known by, e.g. {@code docker.io/library/busybox:latest}
 * @param manifest the digest of the image manifest (the bytes kept in the blob store)
 * @param mediaType that manifest's media type
 * @param config the config blob's digest: the image ID
 * @param created when the image was created (RFC 3339, from its config), may be null
 * @param size the manifest, config and (compressed) layers, in bytes
 * @param index the digest of the index it was selected from when pulled by platform, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageRecord(String name, Digest manifest, MediaType mediaType, Digest config, String created,
        long size, Digest index) {

    public ImageRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
    }

    public ImageRecord withName(String newName) {
        return new ImageRecord(newName, manifest, mediaType, config, created, size, index);
    }
}
