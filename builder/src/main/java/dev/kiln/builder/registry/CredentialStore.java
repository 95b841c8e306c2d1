package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds credentials the way Docker, podman and skopeo do, and writes them the way {@code docker
 * login} does. Files searched, first hit wins: {@code $REGISTRY_AUTH_FILE},
 * {@code ${XDG_RUNTIME_DIR}/containers/auth.json}, then {@code $DOCKER_CONFIG/config.json} (default
 * {@code ~/.docker/config.json}). In each: {@code credHelpers[host]}, then {@code auths[host]},
 * then {@code credsStore}.
 */
public final class CredentialStore {
    /** The key Docker uses for Docker Hub in {@code auths}. */
    static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final AuthEnvironment environment;

    public CredentialStore(AuthEnvironment environment) {
        this.environment = environment;
    }

    /** The credentials for a registry (as users name it: {@code docker.io}, {@code host:port}). */
    public Credentials lookup(String registry) {
        for (Path file : searchPath()) {
            Optional<Credentials> found = lookupIn(file, registry);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return Credentials.ANONYMOUS;
    }

    List<Path> searchPath() {
        List<Path> files = new ArrayList<>();
        String authFile = environment.get("REGISTRY_AUTH_FILE");
        if (authFile != null) {
            files.add(Path.of(authFile));
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime != null) {
            files.add(Path.of(runtime, "containers", "auth.json"));
        }
        files.add(environment.dockerConfig());
        return files;
    }

    private Optional<Credentials> lookupIn(Path file, String registry) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode config = read(file);
        String helper = config.path("credHelpers").path(registry).asText("");
        if (!helper.isEmpty()) {
            return new CredentialHelper(helper, environment).get(serverUrl(registry));
        }
        Optional<Credentials> inline = fromAuths(file, config.path("auths"), registry);
        if (inline.isPresent()) {
            return inline;
        }
        String store = config.path("credsStore").asText("");
        if (!store.isEmpty()) {
            return new CredentialHelper(store, environment).get(serverUrl(registry));
        }
        return Optional.empty();
    }

    private static Optional<Credentials> fromAuths(Path file, JsonNode auths, String registry) {
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!normaliseKey(e.getKey()).equals(registry)) {
                continue;
            }
            JsonNode entry = e.getValue();
            String identity = entry.path("identitytoken").asText("");
            if (!identity.isEmpty()) {
                return Optional.of(new Credentials(null, null, identity));
            }
            String auth = entry.path("auth").asText("");
            if (!auth.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new RegistryException("the \"auth\" entry for " + e.getKey() + " in " + file
                            + " is not valid base64", "log in again: kiln login " + registry);
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new RegistryException("the \"auth\" entry for " + e.getKey() + " in " + file
                            + " is not base64 of USER:PASSWORD", "log in again: kiln login " + registry);
                }
                return Optional.of(Credentials.basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
            String user = entry.path("username").asText("");
            if (!user.isEmpty()) {
                return Optional.of(Credentials.basic(user, entry.path("password").asText("")));
            }
        }
        return Optional.empty();
    }

    /** The registry an {@code auths} key names ({@link Reference#registryName}); a blank key names none. */
    static String normaliseKey(String key) {
        return key.isBlank() ? "" : Reference.registryName(key);
    }

    /** The server name Docker stores a registry under. */
    static String serverUrl(String registry) {
        return registry.equals(Reference.DOCKER_HUB) ? DOCKER_HUB_KEY : registry;
    }

    /** Saves credentials as {@code docker login} does: into a helper if one is configured, else base64 in {@code auths}. */
    public Path login(String registry, Credentials credentials) {
        Path file = environment.dockerConfig();
        ObjectNode config = Files.isRegularFile(file) ? (ObjectNode) read(file) : Json.mapper().createObjectNode();
        String helper = config.path("credHelpers").path(registry).asText("");
        if (helper.isEmpty()) {
            helper = config.path("credsStore").asText("");
        }
        ObjectNode auths = config.has("auths") && config.get("auths").isObject()
                ? (ObjectNode) config.get("auths") : config.putObject("auths");
        removeMatching(auths, registry);
        if (!helper.isEmpty()) {
            new CredentialHelper(helper, environment).store(serverUrl(registry), credentials);
            auths.putObject(serverUrl(registry));
        } else {
            String userPass = credentials.username() + ":" + credentials.password();
            auths.putObject(serverUrl(registry)).put("auth",
                    Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)));
        }
        write(file, config);
        return file;
    }

    /** Forgets credentials for a registry; false if there were none in kiln's reach. */
    public boolean logout(String registry) {
        Path file = environment.dockerConfig();
        if (!Files.isRegularFile(file)) {
            return false;
        }
        ObjectNode config = (ObjectNode) read(file);
        String helper = config.path("credHelpers").path(registry).asText("");
        if (helper.isEmpty()) {
            helper = config.path("credsStore").asText("");
        }
        boolean removed = config.path("auths").isObject() && removeMatching((ObjectNode) config.get("auths"), registry);
        if (!helper.isEmpty()) {
            new CredentialHelper(helper, environment).erase(serverUrl(registry));
        }
        if (removed) {
            write(file, config);
        }
        return removed || !helper.isEmpty();
    }

    private static boolean removeMatching(ObjectNode auths, String registry) {
        boolean removed = false;
        for (Iterator<String> it = auths.fieldNames(); it.hasNext(); ) {
            if (normaliseKey(it.next()).equals(registry)) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode node = Json.mapper().readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new RegistryException(file + " is not a JSON object", "fix or remove the file");
            }
            return node;
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(), "fix or remove the file");
        }
    }

    private static void write(Path file, JsonNode config) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".config", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RegistryException("cannot write " + file + ": " + e.getMessage(), null);
        }
    }
}
