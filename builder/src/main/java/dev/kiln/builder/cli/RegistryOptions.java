package dev.kiln.builder.cli;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.RegistryConfig;
import dev.kiln.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Flags of every command that talks to registries; include with {@code @Mixin RegistryOptions registry;}. */
public final class RegistryOptions {

    @Option(names = "--registry-mirror", paramLabel = "REGISTRY=HOST[:PORT]",
            description = "Try HOST first for images of REGISTRY, e.g. docker.io=127.0.0.1:5000 (repeatable; "
                    + "also read from ${XDG_CONFIG_HOME:-~/.config}/kiln/config.json).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Talk plain HTTP to this registry (repeatable). Loopback registries never need it.")
    List<String> insecure = new ArrayList<>();

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
        AuthEnvironment env = AuthEnvironment.system();
        return Registries.standard(RegistryConfig.load(env.kilnConfig(), mirrors, insecure), env);
    }
}
