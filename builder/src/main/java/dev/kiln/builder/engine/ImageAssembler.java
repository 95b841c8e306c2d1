package dev.kiln.builder.engine;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import dev.kiln.oci.layout.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes a built image's config and OCI manifest into the blob store. Layers pulled with Docker
 * media types are listed with the OCI types of the same compression (the bytes are identical).
 */
final class ImageAssembler {
    private ImageAssembler() {}

    static BuiltImage assemble(ImageConfig config, List<LayerBlob> layers, BlobStore store) {
        Parsed<ImageConfig> configBlob = Json.encode(config);
        List<Descriptor> layerDescriptors = layers.stream().map(l -> l.descriptor()
                .withMediaType(MediaType.ociLayer(l.descriptor().mediaType().compression()))).toList();
        Manifest manifest = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, configBlob),
                layerDescriptors);
        Parsed<Manifest> manifestBlob = Json.encode(manifest);
        try {
            store.put(new ByteArrayInputStream(configBlob.bytes()), configBlob.digest(), configBlob.size());
            store.put(new ByteArrayInputStream(manifestBlob.bytes()), manifestBlob.digest(), manifestBlob.size());
        } catch (IOException e) {
            throw new KilnException("cannot store the built image: " + e.getMessage(), e);
        }
        return new BuiltImage(manifestBlob, configBlob, layers);
    }
}
