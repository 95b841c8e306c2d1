package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.output.ImageLocation;
import dev.kiln.oci.Digest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", description = "Push an image from the local store to a registry.",
        footer = {"", "Examples:", "  kiln push 127.0.0.1:5000/app:1.0",
            "  kiln push busybox 127.0.0.1:5000/mirror/busybox:latest"})
final class PushCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The image in the local store.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DEST",
            description = "Where to push it (default: NAME itself).")
    String dest;

    @Option(names = "--chunk-size", paramLabel = "BYTES", description = "Upload blobs larger than this in chunks "
            + "of this size (default: 32 MiB).")
    int chunkSize;

    @Override
    public Integer call() {
        try (Transfers t = new Transfers(global, registry, ConsoleProgress.forStderr(global.err()), chunkSize)) {
            Reference source = Reference.parse(name);
            Reference target = Reference.parse(dest != null ? dest : name);
            Digest d = t.copier().copy(new ImageLocation.Kiln(source), new ImageLocation.Registry(target));
            global.out().println(target.withDigest(null) + "@" + d);
            return Main.EXIT_OK;
        }
    }
}
