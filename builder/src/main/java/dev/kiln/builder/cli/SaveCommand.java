package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.output.ImageLocation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "save", description = "Write an image from the local store to a tar archive.")
final class SaveCommand implements Callable<Integer> {
    enum Format { oci, docker }

    @Mixin GlobalOptions global;

    @Parameters(paramLabel = "NAME", description = "The image in the local store.")
    String name;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The archive to write.")
    Path output;

    @Option(names = "--format", defaultValue = "oci", paramLabel = "oci|docker",
            description = "oci: an OCI archive (same bytes as the store; default). docker: for docker load.")
    Format format;

    @Override
    public Integer call() {
        RegistryOptions none = new RegistryOptions();
        try (Transfers t = new Transfers(global, none, ConsoleProgress.forStderr(global.err()), 0)) {
            Reference ref = Reference.parse(name);
            ImageLocation dst = format == Format.docker
                    ? new ImageLocation.DockerArchiveFile(output, null)
                    : new ImageLocation.OciArchiveFile(output, null);
            t.copier().copy(new ImageLocation.Kiln(ref), dst);
            global.out().println("Saved " + ref + " to " + output);
            return Main.EXIT_OK;
        }
    }
}
