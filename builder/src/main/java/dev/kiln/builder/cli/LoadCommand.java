package dev.kiln.builder.cli;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.transport.ArchiveFormat;
import dev.kiln.builder.output.ImageLocation;
import dev.kiln.builder.output.StoredImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "load", description = "Load the images of an OCI or docker archive into the local store.")
final class LoadCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "An OCI archive or a docker save tar (plain or compressed).")
    Path input;

    @Override
    public Integer call() {
        try (Transfers t = new Transfers(global, new RegistryOptions(), ConsoleProgress.forStderr(global.err()), 0)) {
            ImageLocation src = ArchiveFormat.detect(input) == ArchiveFormat.OCI
                    ? new ImageLocation.OciArchiveFile(input, null)
                    : new ImageLocation.DockerArchiveFile(input, null);
            try (LocalStore.Session session = t.store.session()) {
                List<StoredImage> images = t.reader.readAll(src, t.store, null, false);
                for (StoredImage i : images) {
                    global.out().println("Loaded image: " + i.record().name());
                }
            }
            return Main.EXIT_OK;
        }
    }
}
