package dev.kiln.builder.session;

import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.runtime.Isolation;
import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link BuildSession} shares across its builds.
 *
 * @param storeRoot the local store (images, blobs, build cache, extracted layers)
 * @param isolation how RUN steps are isolated
 * @param mirrors {@code REGISTRY=HOST[:PORT]} mirrors tried first for pulls
 * @param insecureRegistries registries spoken to over plain HTTP
 * @param auth where registry credentials come from
 */
public record SessionOptions(Path storeRoot, Isolation isolation, List<String> mirrors, List<String> insecureRegistries,
        AuthEnvironment auth) {

    public SessionOptions {
        mirrors = List.copyOf(mirrors);
        insecureRegistries = List.copyOf(insecureRegistries);
    }

    /** The store at {@code storeRoot}, automatic isolation, no mirrors, the user's credentials. */
    public static SessionOptions of(Path storeRoot) {
        return new SessionOptions(storeRoot, Isolation.AUTO, List.of(), List.of(), AuthEnvironment.system());
    }

    public SessionOptions withIsolation(Isolation v) {
        return new SessionOptions(storeRoot, v, mirrors, insecureRegistries, auth);
    }

    public SessionOptions withRegistries(List<String> mirrors, List<String> insecureRegistries) {
        return new SessionOptions(storeRoot, isolation, mirrors, insecureRegistries, auth);
    }
}
