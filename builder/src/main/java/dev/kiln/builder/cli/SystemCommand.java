package dev.kiln.builder.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "system",
        description = "Manage the local store.", subcommands = {SystemPruneCommand.class, SystemCheckCommand.class})
final class SystemCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
