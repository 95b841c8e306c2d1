package dev.kiln.builder.output;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;

/**
 * One image whose manifest, config and layers are all in {@code store}.
 *
 * @param record its record (the name may be a placeholder for images read from unnamed sources)
 * @param origin the registry reference it came from, for cross-repository mounts; may be null
 */
public record StoredImage(LocalStore store, ImageRecord record, Reference origin) {

    public RawManifest manifest() {
        return store.manifest(record);
    }
}
