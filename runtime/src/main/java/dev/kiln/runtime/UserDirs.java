package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The user's home, data and cache directories, as docker, podman and buildah find them: {@code
 * $HOME} first (a CI job or a pod sets it; the passwd entry may be missing or elsewhere), then the
 * JVM's {@code user.home}; {@code $XDG_DATA_HOME} and {@code $XDG_CACHE_HOME} over their defaults
 * below the home. Only absolute paths count (the XDG base directory rules say a relative one is
 * ignored): a user without a passwd entry — a pod run with an arbitrary uid — gets {@code "?"} as
 * the JVM's {@code user.home}, and a path below it would land in whatever the current directory is.
 */
public final class UserDirs {
    private UserDirs() {
    }

    /** The home directory: {@code $HOME} when absolute, else {@code user.home} when absolute. */
    public static Optional<Path> home() {
        return home(System.getenv(), System.getProperty("user.home"));
    }

    /** {@code $XDG_DATA_HOME} when absolute, else {@code ~/.local/share}. */
    public static Optional<Path> dataHome() {
        return dataHome(System.getenv(), System.getProperty("user.home"));
    }

    /** {@code $XDG_CACHE_HOME} when absolute, else {@code ~/.cache}. */
    public static Optional<Path> cacheHome() {
        return cacheHome(System.getenv(), System.getProperty("user.home"));
    }

    static Optional<Path> home(Map<String, String> env, String userHome) {
        return absolute(env.get("HOME")).or(() -> absolute(userHome));
    }

    static Optional<Path> dataHome(Map<String, String> env, String userHome) {
        return absolute(env.get("XDG_DATA_HOME"))
                .or(() -> home(env, userHome).map(h -> h.resolve(".local").resolve("share")));
    }

    static Optional<Path> cacheHome(Map<String, String> env, String userHome) {
        return absolute(env.get("XDG_CACHE_HOME")).or(() -> home(env, userHome).map(h -> h.resolve(".cache")));
    }

    private static Optional<Path> absolute(String path) {
        return path != null && path.startsWith("/") ? Optional.of(Path.of(path)) : Optional.empty();
    }
}
