package dev.kiln.builder.registry;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where credential files and helpers are looked for: the process environment and home directory,
 * replaceable in tests.
 */
public record AuthEnvironment(Map<String, String> env, Path home) {

    public AuthEnvironment {
        env = Map.copyOf(env);
    }

    /** The real environment; the home directory is {@code $HOME} as docker takes it, else Java's user.home. */
    public static AuthEnvironment system() {
        String home = System.getenv("HOME");
        return new AuthEnvironment(System.getenv(),
                Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home")));
    }

    String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public Path dockerConfig() {
        String dir = get("DOCKER_CONFIG");
        return (dir != null ? Path.of(dir) : home.resolve(".docker")).resolve("config.json");
    }

    /** {@code ${XDG_CONFIG_HOME:-~/.config}/kiln/config.json}. */
    public Path kilnConfig() {
        String xdg = get("XDG_CONFIG_HOME");
        return (xdg != null ? Path.of(xdg) : home.resolve(".config")).resolve("kiln").resolve("config.json");
    }
}
