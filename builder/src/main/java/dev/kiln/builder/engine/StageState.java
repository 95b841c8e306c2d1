package dev.kiln.builder.engine;

import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.History;
import dev.kiln.oci.ImageConfig;
import java.util.ArrayList;
import java.util.List;

/** The image a stage has so far, while its steps run. Owned by one thread. */
public final class StageState {
    public final String label;
    public final VariableScope scope;
    public ImageConfig config;
    public List<LayerBlob> layers;
    public CacheKey key;
    boolean cmdSet;

    StageState(String label, VariableScope scope, ImageConfig config, List<LayerBlob> layers, CacheKey key) {
        this.label = label;
        this.scope = scope;
        this.config = config;
        this.layers = new ArrayList<>(layers);
        this.key = key;
    }

    /** Adopts a cached or freshly computed step result. */
    public void adopt(BuildCache.Entry entry, CacheKey newKey) {
        config = entry.config();
        layers = new ArrayList<>(entry.layers());
        key = newKey;
    }

    public BuildCache.Entry entry() {
        return new BuildCache.Entry(config, layers);
    }

    /** Records a step that made no layer. */
    void addEmptyHistory(String createdBy, String created) {
        if (createdBy != null) {
            config = config.withEmptyLayerHistory(history(createdBy, created));
        }
    }

    /** Records a step that made {@code layer}. */
    public void addLayer(LayerBlob layer, String createdBy, String created) {
        layers.add(layer);
        config = config.withLayer(layer.diffId(), history(createdBy, created));
    }

    private static History history(String createdBy, String created) {
        return new History(created, null, createdBy, "buildkit.dockerfile.v0", false);
    }

    StageResult result() {
        return new StageResult(config, layers, key);
    }
}
