package dev.kiln.builder.cli;

import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "logs", description = "Print the output of a container started with kiln run -d.")
final class LogsCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Parameters(paramLabel = "CONTAINER", description = "Container ID (or prefix) or name.")
    String container;

    @Override
    public Integer call() throws IOException {
        Path log = ContainerState.log(ContainerState.find(container).dir());
        if (!Files.isRegularFile(log)) {
            throw new KilnException("container " + container + " was not started with -d: its output went "
                    + "to the terminal", null, null);
        }
        var out = global.out();
        out.print(Files.readString(log));
        out.flush();
        return Main.EXIT_OK;
    }
}
