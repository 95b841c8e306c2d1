package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.ArgInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.stream.Collectors;

/** ARG: no config change (the value lives in the build's scope); history {@code ARG K=default}. */
public record ArgChange(ArgInstruction arg) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before;
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "ARG " + arg.args().stream()
                .map(d -> d.defaultValue() == null ? d.name() : d.name() + "=" + d.defaultValue())
                .collect(Collectors.joining(" "));
    }
}
