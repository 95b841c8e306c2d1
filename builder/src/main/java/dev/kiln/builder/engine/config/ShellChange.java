package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.ShellInstruction;
import dev.kiln.oci.ImageConfig;

/** SHELL: sets {@code Shell} for later shell-form commands; history {@code SHELL [/bin/bash -c]}. */
record ShellChange(ShellInstruction shell) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withShell(shell.shell()));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "SHELL " + GoFormat.plainList(shell.shell());
    }
}
