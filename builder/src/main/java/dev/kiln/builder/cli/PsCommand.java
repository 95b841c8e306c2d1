package dev.kiln.builder.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ps", description = "List containers started by kiln run (running ones; -a for all).")
final class PsCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Option(names = {"-a", "--all"}, description = "Also list containers that have exited.")
    boolean all;

    @Override
    public Integer call() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"});
        for (ContainerState c : ContainerState.all()) {
            if (all || c.running()) {
                String cmd = String.join(" ", c.command());
                rows.add(new String[] {c.id().substring(0, 12), c.image(),
                    "\"" + (cmd.length() > 30 ? cmd.substring(0, 29) + "…" : cmd) + "\"",
                    c.created(), c.status(), c.name()});
            }
        }
        Table.print(global.out(), rows);
        return Main.EXIT_OK;
    }
}
