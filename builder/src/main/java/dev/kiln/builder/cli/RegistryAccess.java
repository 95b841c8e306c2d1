package dev.kiln.builder.cli;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.Registries;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How to reach registries: the flags every command that talks to registries takes
 * ({@code @Mixin RegistryAccess}), and the one {@link Registries} a command makes from them.
 */
public final class RegistryAccess {

    @Option(names = "--registry-mirror", paramLabel = "REGISTRY=HOST[:PORT]",
            description = "Try HOST first for images of REGISTRY, e.g. docker.io=127.0.0.1:5000 (repeatable; "
                    + "also read from ${XDG_CONFIG_HOME:-~/.config}/kiln/config.json).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Talk plain HTTP to this registry (repeatable). Loopback registries never need it.")
    List<String> insecure = new ArrayList<>();

    /** Call once per command and share the result: clients, tokens and settings go with it. */
    public Registries registries() {
        return Registries.forUser(AuthEnvironment.system(), mirrors, insecure);
    }
}
