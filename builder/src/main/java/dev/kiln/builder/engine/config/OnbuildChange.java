package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.OnbuildInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.ArrayList;
import java.util.List;

/** ONBUILD: appends the trigger, as written, to {@code OnBuild}; children run it first. */
record OnbuildChange(OnbuildInstruction onbuild) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        List<String> triggers = new ArrayList<>(before.config().onBuild());
        triggers.add(onbuild.trigger());
        return before.withConfig(before.config().withOnBuild(triggers));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return null; // BuildKit records no history entry for ONBUILD
    }
}
