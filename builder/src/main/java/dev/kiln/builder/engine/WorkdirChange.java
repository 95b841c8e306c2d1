package dev.kiln.builder.engine;

import dev.kiln.builder.dockerfile.WorkdirInstruction;
import dev.kiln.oci.ImageConfig;

/**
 * WORKDIR: sets {@code WorkingDir}, a relative path taken from the current one and cleaned. The
 * directory itself is made by the stage executor (in a layer) when the filesystem lacks it.
 */
record WorkdirChange(WorkdirInstruction workdir) implements ConfigChange {

    /** The absolute, cleaned directory this WORKDIR selects after {@code before}. */
    String resolve(ImageConfig before) {
        String current = before.config().workingDir() == null ? "/" : before.config().workingDir();
        return Paths.resolve(current, workdir.path());
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
