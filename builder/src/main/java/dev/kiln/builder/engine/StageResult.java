package dev.kiln.builder.engine;

import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.ImageConfig;
import java.util.List;

/** A built stage: its image config (with history and diff IDs), layers and the key of its last step. */
public record StageResult(ImageConfig config, List<LayerBlob> layers, CacheKey key) {
    public StageResult {
        layers = List.copyOf(layers);
    }
}
