package dev.kiln.builder.engine;

import dev.kiln.builder.dockerfile.RunInstruction;
import dev.kiln.builder.engine.mount.BuildSecrets;
import dev.kiln.oci.Compression;
import dev.kiln.oci.Platform;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * How to build, beyond the Dockerfile.
 *
 * @param platform        the target platform (base images are pulled for it)
 * @param labels          {@code --label}s, added to the final image without a history entry
 * @param noCache         {@code --no-cache}: run every step
 * @param noCacheStages   {@code --no-cache-filter}: stages (by name or index) that run every step
 * @param compression     of new layers
 * @param network         the default for RUN ({@code --network}); a RUN's own flag wins
 * @param sourceDateEpoch {@code SOURCE_DATE_EPOCH}: history and config times, and the clamp of
 *                        every new file's mtime; null for "now"
 * @param parallelism     how many stages may build at once
 * @param secrets         {@code --secret}s and {@code --ssh} agents for RUN mounts
 * @param cachedLayersOnly every step that makes a layer must come from the cache: a miss throws
 *                        {@link CacheOnlyMiss} before the step does anything (a rootless build
 *                        tries this outside its user namespace first)
 */
public record BuildOptions(
        Platform platform,
        Map<String, String> labels,
        boolean noCache,
        Set<String> noCacheStages,
        Compression compression,
        RunInstruction.Network network,
        Instant sourceDateEpoch,
        int parallelism,
        BuildSecrets secrets,
        boolean cachedLayersOnly) {

    public BuildOptions {
        labels = Map.copyOf(labels);
        noCacheStages = Set.copyOf(noCacheStages);
        parallelism = Math.max(1, parallelism);
        secrets = secrets == null ? BuildSecrets.NONE : secrets;
    }

    public static BuildOptions defaults(Platform platform) {
        return new BuildOptions(platform, Map.of(), false, Set.of(), Compression.GZIP, RunInstruction.Network.DEFAULT,
                null, 2, BuildSecrets.NONE, false);
    }

    public BuildOptions withNoCache(boolean v) {
        return new BuildOptions(platform, labels, v, noCacheStages, compression, network, sourceDateEpoch, parallelism, secrets,
                cachedLayersOnly);
    }

    public BuildOptions withSourceDateEpoch(Instant v) {
        return new BuildOptions(platform, labels, noCache, noCacheStages, compression, network, v, parallelism, secrets,
                cachedLayersOnly);
    }

    public BuildOptions withSecrets(BuildSecrets v) {
        return new BuildOptions(platform, labels, noCache, noCacheStages, compression, network, sourceDateEpoch,
                parallelism, v, cachedLayersOnly);
    }

    public BuildOptions withCachedLayersOnly(boolean v) {
        return new BuildOptions(platform, labels, noCache, noCacheStages, compression, network, sourceDateEpoch,
                parallelism, secrets, v);
    }

    public BuildOptions withLabels(Map<String, String> v) {
        return new BuildOptions(platform, v, noCache, noCacheStages, compression, network, sourceDateEpoch, parallelism, secrets,
                cachedLayersOnly);
    }
}
