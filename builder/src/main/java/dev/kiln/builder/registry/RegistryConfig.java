package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which registries are mirrored where, and which may be spoken to over plain HTTP. Loopback
 * registries always may (Docker does the same); others only when listed as insecure.
 *
 * <p>The config file ({@code ${XDG_CONFIG_HOME:-~/.config}/kiln/config.json}) looks like
 * {@code {"registry-mirrors": {"docker.io": ["127.0.0.1:5100"]}, "insecure-registries": ["h:5000"]}};
 * flags add to it.
 */
public record RegistryConfig(Map<String, List<String>> mirrors, Set<String> insecure) {

    public RegistryConfig {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        mirrors.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        mirrors = Map.copyOf(copy);
        insecure = Set.copyOf(insecure);
    }

    public static final RegistryConfig DEFAULT = new RegistryConfig(Map.of(), Set.of());

    /** Reads the config file (if any) and adds the flags' values: {@code docker.io=HOST[:PORT]}. */
    public static RegistryConfig load(Path configFile, Collection<String> mirrorFlags,
            Collection<String> insecureFlags) {
        Map<String, List<String>> mirrors = new LinkedHashMap<>();
        Set<String> insecure = new LinkedHashSet<>();
        for (String flag : mirrorFlags) {
            int eq = flag.indexOf('=');
            if (eq <= 0 || eq == flag.length() - 1) {
                throw new RegistryException("--registry-mirror '" + flag + "' is not REGISTRY=HOST[:PORT]",
                        "for example: --registry-mirror docker.io=127.0.0.1:5000");
            }
            mirrors.computeIfAbsent(Reference.registryName(flag.substring(0, eq)), k -> new ArrayList<>())
                    .add(stripScheme(flag.substring(eq + 1)));
        }
        insecureFlags.forEach(h -> insecure.add(stripScheme(h)));
        if (configFile != null && Files.isRegularFile(configFile)) {
            readFile(configFile, mirrors, insecure);
        }
        return new RegistryConfig(mirrors, insecure);
    }

    private static void readFile(Path file, Map<String, List<String>> mirrors, Set<String> insecure) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + e.getMessage(),
                    "the file should look like {\"registry-mirrors\": {\"docker.io\": [\"HOST:PORT\"]}}");
        }
        root.path("registry-mirrors").fields().forEachRemaining(e -> {
            List<String> list = mirrors.computeIfAbsent(Reference.registryName(e.getKey()), k -> new ArrayList<>());
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                list.add(stripScheme(v.asText()));
            } else {
                v.forEach(m -> list.add(stripScheme(m.asText())));
            }
        });
        root.path("insecure-registries").forEach(h -> insecure.add(stripScheme(h.asText())));
    }

    private static String stripScheme(String host) {
        String h = host.strip();
        int i = h.indexOf("://");
        h = i >= 0 ? h.substring(i + 3) : h;
        return h.endsWith("/") ? h.substring(0, h.length() - 1) : h;
    }

    /** The hosts to try for a registry, mirrors first, the registry's own API host last. */
    public List<String> endpoints(Reference ref) {
        List<String> out = new ArrayList<>(mirrors.getOrDefault(ref.registry(), List.of()));
        out.add(ref.apiHost());
        return out;
    }

    /** {@code http://HOST} for loopback and insecure registries, else {@code https://HOST}. */
    public URI baseUri(String host) {
        return URI.create((plainHttp(host) ? "http://" : "https://") + host);
    }

    public boolean plainHttp(String host) {
        return insecure.contains(host) || isLoopback(host);
    }

    static boolean isLoopback(String hostPort) {
        String host = hostPort;
        if (host.startsWith("[")) {
            host = host.substring(1, host.indexOf(']'));
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // never resolve names here
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
