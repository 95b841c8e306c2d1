package dev.kiln.builder.transport;

import dev.kiln.builder.store.RawManifest;

/**
 * What {@code kiln inspect} shows: the top-level manifest as served (maybe an index), the image
 * manifest chosen for the platform, and that image's config bytes.
 */
public record Inspection(String name, RawManifest top, RawManifest image, byte[] config) {
    public Inspection {
        config = config.clone();
    }

    @Override
    public byte[] config() {
        return config.clone();
    }
}
