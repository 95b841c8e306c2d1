package dev.kiln.builder.output;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import java.util.List;

/**
 * Docker v2 schema 2 → OCI media types, for OCI layouts and archives: skopeo and umoci only look at
 * OCI entries there. Config and layer bytes stay the same (so do their digests); only the manifest
 * is rewritten, as {@code skopeo copy} does.
 */
final class OciConversion {
    private OciConversion() {}

    /** {@code manifest} itself if it is already OCI, else its OCI form, stored in {@code store}. */
    static RawManifest toOci(RawManifest manifest, LocalStore store) {
        if (!manifest.mediaType().isDocker()) {
            return manifest;
        }
        Manifest docker = manifest.manifest().value();
        List<Descriptor> layers = docker.layers().stream()
                .map(l -> l.withMediaType(ociLayerType(l.mediaType())).withUrls(List.of()))
                .toList();
        Manifest oci = docker.withMediaType(MediaType.OCI_MANIFEST)
                .withConfig(docker.config().withMediaType(MediaType.OCI_CONFIG))
                .withLayers(layers);
        Parsed<Manifest> encoded = Json.encode(oci);
        store.putBytes(encoded.bytes(), encoded.digest(), "OCI form of manifest " + manifest.digest());
        return new RawManifest(MediaType.OCI_MANIFEST, encoded.bytes(), encoded.digest());
    }

    private static MediaType ociLayerType(MediaType docker) {
        if (docker.equals(MediaType.DOCKER_FOREIGN_LAYER)) {
            return MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP;
        }
        return docker.isDocker() ? MediaType.ociLayer(docker.compression()) : docker;
    }
}
