package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.EntrypointInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.List;

/**
 * ENTRYPOINT: sets {@code Entrypoint}; unless this stage has set CMD itself, clears the {@code Cmd}
 * inherited from the base (Docker's rule: a new entrypoint should not get the old image's args).
 *
 * @param cmdSetInStage whether a CMD came earlier in this stage
 */
record EntrypointChange(EntrypointInstruction entrypoint, boolean cmdSetInStage) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        var c = before.config().withEntrypoint(Shells.argv(entrypoint.command(), before));
        return before.withConfig(cmdSetInStage ? c : c.withCmd(List.of()));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "ENTRYPOINT " + GoFormat.quotedList(Shells.argv(entrypoint.command(), before));
    }
}
