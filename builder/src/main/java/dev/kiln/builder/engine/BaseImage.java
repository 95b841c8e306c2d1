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

    /**
     * What the build cache knows this image by: its ID and the digests of its layer blobs. The ID
     * alone would not do: it hashes the config, whose diff IDs are claims until a layer is
     * extracted, so another image could copy this one's config over different layers.
     */
    String cacheIdentity() {
        StringBuilder s = new StringBuilder("image:").append(id);
        layers.forEach(l -> s.append(' ').append(l.descriptor().digest()));
        return s.toString();
    }
}
