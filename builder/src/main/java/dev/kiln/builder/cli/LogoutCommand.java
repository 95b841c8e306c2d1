package dev.kiln.builder.cli;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.CredentialStore;
import dev.kiln.builder.registry.Reference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logout", description = "Remove the saved credentials for a registry.")
final class LogoutCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "REGISTRY", description = "HOST[:PORT] (default: docker.io).")
    String server;

    @Override
    public Integer call() {
        String host = registryName(server);
        boolean removed = new CredentialStore(AuthEnvironment.system()).logout(host);
        spec.commandLine().getOut().println(removed ? "Removed login credentials for " + host
                : "Not logged in to " + host);
        return Main.EXIT_OK;
    }

    /** {@code null} → docker.io; {@code https://index.docker.io/v1/} → docker.io; else host[:port]. */
    static String registryName(String server) {
        if (server == null || server.isBlank()) {
            return Reference.DOCKER_HUB;
        }
        String s = server.strip();
        int scheme = s.indexOf("://");
        s = scheme >= 0 ? s.substring(scheme + 3) : s;
        int slash = s.indexOf('/');
        s = slash >= 0 ? s.substring(0, slash) : s;
        return s.equals("index.docker.io") || s.equals(Reference.DOCKER_HUB_API_HOST) ? Reference.DOCKER_HUB : s;
    }
}
