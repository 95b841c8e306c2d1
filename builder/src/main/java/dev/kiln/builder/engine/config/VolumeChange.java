package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.VolumeInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.Set;
import java.util.TreeSet;

/** VOLUME: adds mount points; history {@code VOLUME [/data /cache]}. */
record VolumeChange(VolumeInstruction volume) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        Set<String> volumes = new TreeSet<>(before.config().volumes());
        volumes.addAll(volume.paths());
        return before.withConfig(before.config().withVolumes(volumes));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "VOLUME " + GoFormat.plainList(volume.paths());
    }
}
