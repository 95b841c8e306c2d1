package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code docker-credential-NAME get|store|erase}, the Docker credential-helper protocol: the
 * request on stdin (a server URL, or a JSON object for {@code store}), the answer as JSON on stdout.
 */
final class CredentialHelper {
    private static final String TOKEN_USER = "<token>";

    private final String name;
    private final AuthEnvironment environment;

    CredentialHelper(String name, AuthEnvironment environment) {
        this.name = name;
        this.environment = environment;
    }

    /** The stored credentials for {@code serverUrl}, or empty if the helper has none. */
    Optional<Credentials> get(String serverUrl) {
        Result r = run("get", serverUrl);
        if (r.exit != 0) {
            if (r.output.toLowerCase().contains("not found")) {
                return Optional.empty();
            }
            throw failure("get", r);
        }
        try {
            JsonNode json = Json.mapper().readTree(r.output);
            String user = json.path("Username").asText("");
            String secret = json.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(user.equals(TOKEN_USER)
                    ? new Credentials(null, null, secret)
                    : Credentials.basic(user, secret));
        } catch (IOException e) {
            throw new RegistryException("credential helper docker-credential-" + name
                    + " printed something that is not JSON", null);
        }
    }

    void store(String serverUrl, Credentials credentials) {
        ObjectNode req = Json.mapper().createObjectNode();
        req.put("ServerURL", serverUrl);
        req.put("Username", credentials.username());
        req.put("Secret", credentials.password());
        Result r = run("store", req.toString());
        if (r.exit != 0) {
            throw failure("store", r);
        }
    }

    void erase(String serverUrl) {
        Result r = run("erase", serverUrl);
        if (r.exit != 0 && !r.output.toLowerCase().contains("not found")) {
            throw failure("erase", r);
        }
    }

    private RegistryException failure(String action, Result r) {
        return new RegistryException("credential helper docker-credential-" + name + " " + action
                + " failed (exit " + r.exit + "): " + r.output.strip(),
                "check the helper works: echo SERVER | docker-credential-" + name + " get");
    }

    private record Result(int exit, String output) {}

    private Result run(String action, String input) {
        Path exe = locate();
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), action).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(environment.env());
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RegistryException("credential helper " + exe + " did not finish in 60 s", null);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new RegistryException("cannot run credential helper " + exe + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while running " + exe, null);
        }
    }

    private Path locate() {
        String exe = "docker-credential-" + name;
        String path = environment.get("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, exe);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new RegistryException("credential helper '" + exe + "' is not on PATH",
                "install it, or remove \"" + name + "\" from credsStore/credHelpers in "
                        + environment.dockerConfig());
    }
}
