package dev.kiln.builder.cli;

import dev.kiln.builder.output.ImageLocation;
import dev.kiln.oci.Digest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "copy", description = "Copy an image between registries, archives, layouts and the local store.",
        footer = {"", "Locations:",
            "  docker://REF                  a registry",
            "  oci:DIR[:REF]                 an OCI image layout directory",
            "  oci-archive:FILE[:REF]        a tar of an OCI image layout",
            "  docker-archive:FILE[:REF]     a docker save tar",
            "  kiln:NAME                     the local store",
            "", "Manifests, configs and layers keep their bytes (and digests) except in docker archives.",
            "", "Example:", "  kiln copy docker://127.0.0.1:5000/busybox:latest oci-archive:busybox.tar:latest"})
final class CopyCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "SRC") String source;
    @Parameters(index = "1", paramLabel = "DST") String destination;

    @Option(names = "--chunk-size", paramLabel = "BYTES", description = "Upload blobs larger than this in chunks.")
    int chunkSize;

    @Override
    public Integer call() {
        try (Transfers t = new Transfers(global, registry, ConsoleProgress.forStderr(global.err()), chunkSize)) {
            Digest d = t.copier().copy(ImageLocation.parse(source), ImageLocation.parse(destination));
            global.out().println(d);
            return Main.EXIT_OK;
        }
    }
}
