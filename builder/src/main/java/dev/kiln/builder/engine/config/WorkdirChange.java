package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.WorkdirInstruction;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.files.ImagePaths;

/**
 * WORKDIR: sets {@code WorkingDir}, a relative path taken from the current one and cleaned. The
 * directory itself is made by the stage executor (in a layer) when the filesystem lacks it.
 */
public record WorkdirChange(WorkdirInstruction workdir) implements ConfigChange {

    /** The absolute, cleaned directory this WORKDIR selects after {@code before}. */
    public String resolve(ImageConfig before) {
        String current = before.config().workingDir() == null ? "/" : before.config().workingDir();
        return ImagePaths.resolve(current, workdir.path());
    }

    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withWorkingDir(resolve(before)));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "WORKDIR " + resolve(before);
    }
}
