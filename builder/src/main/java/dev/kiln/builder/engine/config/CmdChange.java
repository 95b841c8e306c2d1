package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.CmdInstruction;
import dev.kiln.oci.ImageConfig;

/** CMD: sets {@code Cmd} (shell form through SHELL) and {@code ArgsEscaped}, as BuildKit does. */
record CmdChange(CmdInstruction cmd) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withCmd(Shells.argv(cmd.command(), before)).withArgsEscaped(true));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "CMD " + GoFormat.quotedList(Shells.argv(cmd.command(), before));
    }
}
