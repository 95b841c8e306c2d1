package dev.kiln.builder.engine;

/**
 * Thrown by a build with {@link BuildOptions#cachedLayersOnly()} at the first step that would have
 * to make a layer (a RUN, COPY, ADD or WORKDIR missing the cache) or pull an image, before that
 * step changes anything. Not an error but a signal to its caller (a rootless {@code kiln build}
 * then re-executes in its user namespace and builds again), hence not a {@code KilnException}:
 * the steps' error wrapping lets it through.
 */
public final class CacheOnlyMiss extends RuntimeException {
    public CacheOnlyMiss(String step) {
        super(step + " is not in the cache", null, false, false);
    }
}
