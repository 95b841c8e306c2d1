package dev.kiln.builder.cli;

import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.LocalStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pull", description = "Pull an image from a registry into the local store.",
        footer = {"", "Examples:", "  kiln pull busybox", "  kiln pull --platform linux/arm64 127.0.0.1:5000/team/app:1.0"})
final class PullCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;

    @Parameters(paramLabel = "REF", description = "NAME[:TAG|@DIGEST]; Docker Hub names are expanded as docker does.")
    String ref;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image name when done.")
    boolean quiet;

    @Override
    public Integer call() {
        Reference r = Reference.parse(ref);
        PrintWriter out = global.out();
        LocalStore store = new LocalStore(global.storeRoot());
        ConsoleProgress progress = quiet ? null : ConsoleProgress.forStderr(global.err());
        ImagePuller.Pulled pulled;
        try (Registries registries = registry.registries()) {
            pulled = new ImagePuller(new TransferSettings(registries, progress == null ? e -> { } : progress,
                    registry.jobs, 0), store).pull(r, registry.platform());
        }
        if (!quiet) {
            out.println("Digest: " + pulled.top().digest());
            out.println("Image ID: " + pulled.image().config().shortHex());
        }
        out.println(pulled.image().name());
        return Main.EXIT_OK;
    }
}
