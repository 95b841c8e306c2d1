package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.StopSignalInstruction;
import dev.kiln.oci.ImageConfig;

/** STOPSIGNAL: sets {@code StopSignal} as written. */
record StopSignalChange(StopSignalInstruction signal) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withStopSignal(signal.signal()));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "STOPSIGNAL " + signal.signal();
    }
}
