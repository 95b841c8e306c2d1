package dev.kiln.builder.registry;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out one {@link RegistryClient} per endpoint host for the life of a command, so tokens and
 * connections are shared between the manifests and blobs of one pull or push. The one place
 * registry clients are made: every pull, push, FROM, login, inspect and copy gets them from an
 * instance of this class, so mirrors, plain-HTTP hosts, credentials and the transport's limits
 * apply alike. Closing it ends the HTTP clients made for it (see {@link OwnedHttpClient}).
 */
public final class Registries implements AutoCloseable {
    private final RegistryConfig config;
    private final CredentialStore credentials;
    private final HttpTransport transport;
    private final Clock clock;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Credentials> explicit = new ConcurrentHashMap<>();

    public Registries(RegistryConfig config, CredentialStore credentials, HttpTransport transport, Clock clock) {
        this.config = config;
        this.credentials = credentials;
        this.transport = transport;
        this.clock = clock;
    }

    public static Registries standard(RegistryConfig config, AuthEnvironment env) {
        return new Registries(config, new CredentialStore(env), HttpTransport.standard(), Clock.systemUTC());
    }

    /**
     * The registries of one user command: kiln's config file found through {@code env}, with the
     * command's {@code --registry-mirror REGISTRY=HOST} and {@code --insecure-registry HOST} values
     * added; credentials as docker finds them in {@code env}.
     */
    public static Registries forUser(AuthEnvironment env, Collection<String> mirrorFlags,
            Collection<String> insecureFlags) {
        return standard(RegistryConfig.load(env.kilnConfig(), mirrorFlags, insecureFlags), env);
    }

    public RegistryConfig config() {
        return config;
    }

    public HttpTransport transport() {
        return transport;
    }

    /** Uses these credentials for {@code registry} instead of looking them up (e.g. {@code --creds}). */
    public void useCredentials(String registry, Credentials creds) {
        explicit.put(registry, creds);
        clients.remove(registry);
        if (registry.equals(Reference.DOCKER_HUB)) {
            clients.remove(Reference.DOCKER_HUB_API_HOST);
        }
    }

    /**
     * The client for an endpoint host: the registry's own API host or one of its mirrors. The
     * credentials are those stored for that host (Docker Hub's under {@code docker.io}).
     */
    public RegistryClient client(String endpointHost) {
        return clients.computeIfAbsent(endpointHost, host -> {
            String credKey = Reference.registryName(host);
            Credentials creds = explicit.containsKey(credKey) ? explicit.get(credKey) : credentials.lookup(credKey);
            return new RegistryClient(credKey, config.baseUri(host), creds, transport, clock);
        });
    }

    /** Ends the transport's clients: call when the command or session is done with registries. */
    @Override
    public void close() {
        transport.close();
    }
}
