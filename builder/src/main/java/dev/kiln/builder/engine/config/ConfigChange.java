package dev.kiln.builder.engine.config;

import dev.kiln.oci.ImageConfig;

/**
 * What one metadata instruction does to the image: a new config and the {@code created_by} text of
 * its history entry, in BuildKit's format. Implementations are values built from the expanded
 * instruction; {@link ConfigChanges#of} picks the class.
 */
public interface ConfigChange {

    /** The image config after the instruction (history is added by the caller). */
    ImageConfig apply(ImageConfig before);

    /** The history entry's {@code created_by} for this instruction applied to {@code before}; null for none. */
    String createdBy(ImageConfig before);
}
