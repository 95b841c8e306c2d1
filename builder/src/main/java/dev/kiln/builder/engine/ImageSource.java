package dev.kiln.builder.engine;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.LayerTap;
import dev.kiln.oci.Platform;

/** Finds base images by reference (e.g. {@code python:3.9-slim}) for a platform, pulling when needed. */
@FunctionalInterface
public interface ImageSource {
    BaseImage resolve(String reference, Platform platform);

    /** As {@link #resolve(String, Platform)}, reporting a pull's progress to {@code progress}. */
    default BaseImage resolve(String reference, Platform platform, ProgressListener progress) {
        return resolve(reference, platform);
    }

    /**
     * As {@link #resolve(String, Platform, ProgressListener)}; layers a pull downloads also go to
     * {@code tap} as they arrive (a source that never pulls ignores it).
     */
    default BaseImage resolve(String reference, Platform platform, ProgressListener progress, LayerTap tap) {
        return resolve(reference, platform, progress);
    }
}
