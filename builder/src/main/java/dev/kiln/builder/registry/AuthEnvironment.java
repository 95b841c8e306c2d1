package dev.kiln.builder.registry;

import dev.kiln.runtime.UserDirs;
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

    /**
     * The real environment; the home directory is {@code $HOME} as docker takes it, else Java's
     * user.home ({@link UserDirs#home}). A user with neither has no {@code ~/.docker} or {@code
     * ~/.config} to read: {@code /nonexistent}, as a passwd entry without a home says.
     */
    public static AuthEnvironment system() {
        return new AuthEnvironment(System.getenv(), UserDirs.home().orElse(Path.of("/nonexistent")));
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
