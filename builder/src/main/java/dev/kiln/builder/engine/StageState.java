package dev.kiln.builder.engine;

import dev.kiln.builder.engine.run.RunExecutor;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.cache.BuildCache;
import dev.kiln.builder.cache.CacheKey;
import dev.kiln.builder.dockerfile.VariableScope;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.History;
import dev.kiln.oci.ImageConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The image a stage has so far, while its steps run. Owned by one thread. */
public final class StageState {
    public final String label;
    public final VariableScope scope;
    public ImageConfig config;
    public List<LayerBlob> layers;
    /** The key of the image so far; each step's key is built on it, and {@link #cached} moves it on. */
    public CacheKey key;
    /** Whether steps may come from the cache (not with {@code --no-cache}, nor for a stage it names). */
    private final boolean useCache;
    boolean cmdSet;
    /** Whether a RUN step is still ahead in this stage (the current step included). */
    boolean runAhead;

    StageState(String label, VariableScope scope, ImageConfig config, List<LayerBlob> layers, CacheKey key,
            boolean useCache) {
        this.label = label;
        this.scope = scope;
        this.config = config;
        this.layers = new ArrayList<>(layers);
        this.key = key;
        this.useCache = useCache;
    }

    /** What a step does on a cache miss: changes {@link #config} and {@link #layers}. */
    public interface Work {
        void run() throws InterruptedException;
    }

    /**
     * Runs one step under the build cache; every step goes through here. A hit (an entry for
     * {@code key} that is readable and whose layer blobs all still exist, looked up only when the
     * stage {@linkplain #useCache uses the cache}) gives the stage the cached config and layers;
     * on a miss {@code work} changes them and the result is stored under {@code key}. Either way
     * the stage's key is {@code key} afterwards.
     *
     * @return true when the step came from the cache
     */
    public boolean cached(CacheKey key, BuildServices s, Work work) throws InterruptedException {
        Optional<BuildCache.Entry> hit = useCache ? s.cache().get(key, s::blobExists) : Optional.empty();
        if (hit.isPresent()) {
            config = hit.get().config();
            layers = new ArrayList<>(hit.get().layers());
        } else {
            work.run();
            s.cache().put(key, new BuildCache.Entry(config, layers));
        }
        this.key = key;
        return hit.isPresent();
    }

    /**
     * The merged view of the stage's layers. When a RUN step is still ahead and a layer has no
     * listing yet, the layers are first readied for the RUN ({@link RunExecutor#prepareLayers}:
     * extracting a layer also lists it), so each blob is read once rather than once for the view
     * and again for the RUN's lower dirs.
     */
    public LayerFiles.View view(BuildServices s) {
        if (runAhead && !s.options().cachedLayersOnly() && !s.files().listed(layers)) {
            s.runs().prepareLayers(layers);
        }
        return s.files().view(layers);
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
