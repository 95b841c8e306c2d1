package dev.kiln.builder.session;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.Registries;
import dev.kiln.runtime.Isolation;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a {@link BuildSession} shares across its builds.
 *
 * @param storeRoot the local store (images, blobs, build cache, extracted layers)
 * @param isolation how RUN steps are isolated
 * @param registries makes the registries (mirrors, insecure hosts, credentials) that base-image
 *                   pulls and pushes share; asked at most once, by the first build that may pull
 */
public record SessionOptions(Path storeRoot, Isolation isolation, Supplier<Registries> registries) {

    /** The store at {@code storeRoot}, automatic isolation, the user's registry config and credentials. */
    public static SessionOptions of(Path storeRoot) {
        return new SessionOptions(storeRoot, Isolation.AUTO,
                () -> Registries.forUser(AuthEnvironment.system(), List.of(), List.of()));
    }

    public SessionOptions withIsolation(Isolation v) {
        return new SessionOptions(storeRoot, v, registries);
    }

    public SessionOptions withRegistries(Supplier<Registries> v) {
        return new SessionOptions(storeRoot, isolation, v);
    }
}
