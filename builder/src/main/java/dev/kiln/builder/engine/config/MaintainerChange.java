package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.MaintainerInstruction;
import dev.kiln.oci.ImageConfig;

/** MAINTAINER (deprecated): sets the image's {@code author}. */
record MaintainerChange(MaintainerInstruction maintainer) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withAuthor(maintainer.maintainer());
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "MAINTAINER " + maintainer.maintainer();
    }
}
