package dev.kiln.builder.cli;

import dev.kiln.builder.registry.Registries;
import dev.kiln.oci.Platform;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Flags of the commands that move images to and from registries; include with {@code @Mixin RegistryOptions registry;}. */
public final class RegistryOptions {

    @Mixin RegistryAccess access = new RegistryAccess();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to pick from multi-platform images (default: this machine's).")
    String platform;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "4",
            description = "Blobs transferred at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    public Platform platform() {
        return platform == null ? Platform.current() : Platform.parse(platform);
    }

    public Registries registries() {
        return access.registries();
    }
}
