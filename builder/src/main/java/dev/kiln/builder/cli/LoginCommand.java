package dev.kiln.builder.cli;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.CredentialStore;
import dev.kiln.builder.registry.Credentials;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.oci.KilnException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "login", description = "Log in to a registry; credentials go to ~/.docker/config.json as docker stores them.")
final class LoginCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;

    @Parameters(arity = "0..1", paramLabel = "REGISTRY", description = "HOST[:PORT] (default: docker.io).")
    String server;

    @Option(names = {"-u", "--username"}, paramLabel = "USER") String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
            description = "Visible in the process list; prefer --password-stdin.")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Override
    public Integer call() throws IOException {
        String host = Reference.registryName(server);
        Console console = System.console();
        if (username == null) {
            if (console == null) {
                throw new KilnException("no user name given", "use --username USER", null);
            }
            username = console.readLine("Username: ");
        }
        if (passwordStdin) {
            if (password != null) {
                throw new KilnException("--password and --password-stdin are exclusive");
            }
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else if (password == null) {
            if (console == null) {
                throw new KilnException("no password given", "use --password-stdin", null);
            }
            password = new String(console.readPassword("Password: "));
        }
        if (password == null || password.isEmpty()) {
            throw new KilnException("the password is empty");
        }
        Credentials creds = Credentials.basic(username, password.strip());
        try (Registries registries = registry.registries()) {
            registries.useCredentials(host, creds);
            registries.client(Reference.apiHost(host)).ping();
        }
        Path file = new CredentialStore(AuthEnvironment.system()).login(host, creds);
        global.out().println("Login Succeeded (credentials saved in " + file + ")");
        return Main.EXIT_OK;
    }
}
