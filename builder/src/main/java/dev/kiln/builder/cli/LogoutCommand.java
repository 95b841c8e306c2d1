package dev.kiln.builder.cli;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.CredentialStore;
import dev.kiln.builder.registry.Reference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "logout", description = "Remove the saved credentials for a registry.")
final class LogoutCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Parameters(arity = "0..1", paramLabel = "REGISTRY", description = "HOST[:PORT] (default: docker.io).")
    String server;

    @Override
    public Integer call() {
        String host = Reference.registryName(server);
        boolean removed = new CredentialStore(AuthEnvironment.system()).logout(host);
        global.out().println(removed ? "Removed login credentials for " + host
                : "Not logged in to " + host);
        return Main.EXIT_OK;
    }
}
