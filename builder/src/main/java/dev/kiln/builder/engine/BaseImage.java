package dev.kiln.builder.engine;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import java.util.List;

/**
 * An image a stage starts from or copies from: its name, ID (config digest), config and layers
 * (whose blobs are in the build's blob store).
 */
public record BaseImage(String name, Digest id, ImageConfig config, List<LayerBlob> layers) {
    public BaseImage {
        layers = List.copyOf(layers);
    }
}
