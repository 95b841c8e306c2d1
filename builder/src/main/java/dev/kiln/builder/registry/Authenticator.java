package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers one registry's auth challenges: Basic with the user's credentials, or Docker's token flow
 * (Bearer {@code realm}, {@code service}, {@code scope}) with tokens cached per scope and fetched
 * again when they expire or the registry rejects them. Anonymous token flows work too. Thread-safe.
 */
final class Authenticator {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());
    /** Docker's default when the token server does not say. */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private final String registry;
    private final URI base;
    private final Credentials credentials;
    private final HttpTransport transport;
    private final Clock clock;
    private volatile AuthChallenge challenge;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();

    Authenticator(String registry, URI base, Credentials credentials, HttpTransport transport, Clock clock) {
        this.registry = registry;
        this.base = base;
        this.credentials = credentials;
        this.transport = transport;
        this.clock = clock;
    }

    private record Token(String value, Instant expires) {}

    /** True once a challenge has been seen, i.e. the registry wants some kind of auth. */
    boolean knowsChallenge() {
        return challenge != null;
    }

    /** The Authorization header to send for these scopes now, if any. */
    Optional<String> header(List<String> scopes) {
        AuthChallenge c = challenge;
        if (c == null) {
            return Optional.empty();
        }
        if (c.isBasic()) {
            if (credentials.isAnonymous() || credentials.username() == null) {
                return Optional.empty();
            }
            refuseCleartext(base, "the registry " + registry);
            return Optional.of(credentials.basicHeader());
        }
        if (c.isBearer()) {
            return Optional.of("Bearer " + token(c, scopes));
        }
        return Optional.empty();
    }

    /**
     * Handles a 401: remembers the challenge and forgets a token the registry refused.
     *
     * @return true if retrying with new auth could help
     */
    boolean onUnauthorized(HttpResponse<?> response, List<String> scopes, String sentHeader) {
        List<AuthChallenge> offered = AuthChallenge.parse(response.headers().allValues("WWW-Authenticate"));
        AuthChallenge next = offered.stream().filter(AuthChallenge::isBearer).findFirst()
                .or(() -> offered.stream().filter(AuthChallenge::isBasic).findFirst())
                .orElse(null);
        if (next == null) {
            return false;
        }
        challenge = next;
        if (sentHeader == null) {
            return next.isBearer() || !credentials.isAnonymous();
        }
        if (next.isBearer() && sentHeader.startsWith("Bearer ")) {
            tokens.remove(key(scopes)); // expired or revoked early: fetch a new one once
            return true;
        }
        return false;
    }

    private String token(AuthChallenge c, List<String> scopes) {
        String key = key(scopes);
        // One fetch per scope set even when parallel blob transfers all ask at once.
        synchronized (fetchLocks.computeIfAbsent(key, k -> new Object())) {
            Token cached = tokens.get(key);
            Instant now = clock.instant();
            if (cached != null && now.isBefore(cached.expires)) {
                return cached.value;
            }
            Token fresh = fetchToken(c, scopes, now);
            tokens.put(key, fresh);
            return fresh.value;
        }
    }

    private static String key(List<String> scopes) {
        return String.join(" ", scopes.stream().sorted().toList());
    }

    private Token fetchToken(AuthChallenge c, List<String> scopes, Instant now) {
        String realm = c.param("realm");
        if (realm == null || realm.isBlank()) {
            throw new RegistryException(registry + " asked for a token but named no realm", null);
        }
        StringBuilder query = new StringBuilder();
        if (c.param("service") != null) {
            appendParam(query, "service", c.param("service"));
        }
        List<String> wanted = scopes.isEmpty() && c.param("scope") != null ? List.of(c.param("scope")) : scopes;
        for (String scope : wanted) {
            appendParam(query, "scope", scope);
        }
        HttpRequest.Builder b;
        if (credentials.identityToken() != null) {
            StringBuilder form = new StringBuilder();
            appendParam(form, "grant_type", "refresh_token");
            appendParam(form, "refresh_token", credentials.identityToken());
            appendParam(form, "client_id", "kiln");
            form.append('&').append(query);
            b = HttpRequest.newBuilder(URI.create(realm))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        } else {
            String sep = realm.contains("?") ? "&" : "?";
            b = HttpRequest.newBuilder(URI.create(realm + (query.length() == 0 ? "" : sep + query))).GET();
            if (credentials.username() != null) {
                refuseCleartext(URI.create(realm), "the token server " + realm + " of " + registry);
                b.header("Authorization", credentials.basicHeader());
            }
        }
        HttpResponse<InputStream> r = transport.send(b.timeout(Duration.ofSeconds(60)).build());
        byte[] body = HttpTransport.readSmallBody(r);
        if (r.statusCode() != 200) {
            throw RegistryErrors.fromResponse("token request to " + realm + " for " + registry + " failed",
                    r.statusCode(), body);
        }
        try {
            JsonNode json = Json.mapper().readTree(body);
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException("the token server " + realm + " answered without a token", null);
            }
            long expiresIn = json.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
            Duration lifetime = Duration.ofSeconds(Math.max(expiresIn, 1));
            // Renew a little early so that a token does not expire between check and use.
            Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(10)) > 0
                    ? Duration.ofSeconds(10) : lifetime.dividedBy(10);
            LOG.log(Level.DEBUG, "token for {0} {1}, valid {2} s", registry, wanted, lifetime.toSeconds());
            return new Token(token, now.plus(lifetime).minus(margin));
        } catch (IOException e) {
            throw new RegistryException("the token server " + realm + " answered with invalid JSON", null);
        }
    }

    /**
     * Passwords go only over TLS, or to this machine: a plain-HTTP registry or token realm
     * elsewhere (an {@code --insecure-registry}, or a realm a registry's challenge names) would get
     * them in clear text, readable and replayable by anyone on the path.
     */
    static void refuseCleartext(URI target, String who) {
        if ("https".equalsIgnoreCase(target.getScheme()) || (target.getHost() != null && RegistryConfig.isLoopback(target.getHost()))) {
            return;
        }
        throw new RegistryException(who + " is plain HTTP (" + target.getScheme() + "://" + target.getAuthority()
                + "): kiln does not send credentials in clear text", 401, "UNAUTHORIZED", false,
                "serve it over https, or pull without credentials", null);
    }

    private static void appendParam(StringBuilder sb, String name, String value) {
        if (sb.length() > 0) {
            sb.append('&');
        }
        sb.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
