package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.MediaType;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RegistryClientAuthTest {
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "a".repeat(64) + "\",\"size\":2},\"layers\":[]}";

    private final HttpTransport transport = new HttpTransport(HttpTransport.defaultClient(),
            new RetryPolicy(3, Duration.ZERO, Duration.ZERO, d -> {}));

    /** A clock the test moves by hand. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static void manifest(HttpExchange ex) throws IOException {
        FakeServer.send(ex, 200, MediaType.OCI_MANIFEST.value(), MANIFEST.getBytes(StandardCharsets.UTF_8));
    }

    private static void unauthorized(HttpExchange ex, String challenge) throws IOException {
        ex.getResponseHeaders().set("WWW-Authenticate", challenge);
        FakeServer.send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
    }

    /**
     * A registry that answers a request without Authorization with a Bearer challenge (realm
     * {@code tokens}/token, service s), and any other with the manifest.
     */
    private static FakeServer challengingUnauthenticated(FakeServer tokens) throws IOException {
        return new FakeServer((ex, n) -> {
            if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                unauthorized(ex, "Bearer realm=\"" + tokens.url() + "/token\",service=\"s\"");
            } else {
                manifest(ex);
            }
        });
    }

    @Test
    void tokenFlow_fetchesTokenWithServiceAndScope_thenReusesItPerScope() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        try (FakeServer tokens = new FakeServer((ex, n) -> FakeServer.send(ex, 200,
                "{\"token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":300}"));
                FakeServer registry = new FakeServer((ex, n) -> {
                    String auth = ex.getRequestHeaders().getFirst("Authorization");
                    if (auth == null || !auth.startsWith("Bearer tok-")) {
                        unauthorized(ex, "Bearer realm=\"" + tokens.url() + "/token\",service=\"kiln-registry\","
                                + "scope=\"repository:library/busybox:pull\"");
                    } else {
                        manifest(ex);
                    }
                })) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.basic("kiln", "pw"), transport, Clock.systemUTC());
            c.getManifest("library/busybox", "latest");
            c.getManifest("library/busybox", "v2s2");
            c.getManifest("library/other", "latest");

            assertThat(tokens.seen).hasSize(2);
            String q = URLDecoder.decode(tokens.seen.get(0).query(), StandardCharsets.UTF_8);
            assertThat(q).contains("service=kiln-registry").contains("scope=repository:library/busybox:pull");
            assertThat(tokens.seen.get(0).header("Authorization")).isEqualTo(Credentials.basic("kiln", "pw").basicHeader());
            assertThat(URLDecoder.decode(tokens.seen.get(1).query(), StandardCharsets.UTF_8))
                    .contains("scope=repository:library/other:pull");
            // 1 unauthenticated probe, then 3 requests with tokens: the second reused tok-1.
            assertThat(registry.seen).hasSize(4);
            assertThat(registry.seen.get(2).header("Authorization")).isEqualTo("Bearer tok-1");
            assertThat(registry.seen.get(3).header("Authorization")).isEqualTo("Bearer tok-2");
        }
    }

    @Test
    void tokenFlow_parallelRequests_shareOneTokenFetch() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        try (FakeServer tokens = new FakeServer((ex, n) -> FakeServer.send(ex, 200,
                "{\"token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":300}"));
                FakeServer registry = challengingUnauthenticated(tokens)) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.List<java.util.concurrent.Future<RawManifest>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    fs.add(pool.submit(() -> c.getManifest("a", "1")));
                }
                for (var f : fs) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(issued).hasValue(1);
        }
    }

    @Test
    void tokenFlow_identityToken_isExchangedWithOAuthRefreshGrant() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> form = new java.util.concurrent.atomic.AtomicReference<>();
        try (FakeServer tokens = new FakeServer((ex, n) -> {
            form.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            FakeServer.send(ex, 200, "{\"access_token\":\"oauth-tok\"}");
        });
                FakeServer registry = new FakeServer((ex, n) -> {
                    if (!"Bearer oauth-tok".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                        unauthorized(ex, "Bearer realm=\"" + tokens.url() + "/token\",service=\"s\"");
                    } else {
                        manifest(ex);
                    }
                })) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    new Credentials(null, null, "refresh-me"), transport, Clock.systemUTC());
            c.getManifest("a", "1");
            assertThat(tokens.seen.get(0).method()).isEqualTo("POST");
            assertThat(URLDecoder.decode(form.get(), StandardCharsets.UTF_8))
                    .contains("grant_type=refresh_token").contains("refresh_token=refresh-me")
                    .contains("service=s").contains("scope=repository:a:pull");
        }
    }

    @Test
    void tokenFlow_expiredToken_isFetchedAgain() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        TestClock clock = new TestClock();
        try (FakeServer tokens = new FakeServer((ex, n) -> FakeServer.send(ex, 200,
                "{\"access_token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":60}"));
                FakeServer registry = challengingUnauthenticated(tokens)) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, clock);
            c.getManifest("a", "1");
            clock.now = clock.now.plusSeconds(30);
            c.getManifest("a", "1");
            assertThat(issued).hasValue(1);
            clock.now = clock.now.plusSeconds(31);
            c.getManifest("a", "1");
            assertThat(issued).hasValue(2);
            assertThat(registry.seen.get(registry.seen.size() - 1).header("Authorization")).isEqualTo("Bearer tok-2");
            assertThat(tokens.seen.get(0).header("Authorization")).as("anonymous token request").isNull();
        }
    }

    @Test
    void tokenFlow_registryRejectsCachedToken_refreshesOnce() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        AtomicReference<String> valid = new AtomicReference<>("tok-1");
        try (FakeServer tokens = new FakeServer((ex, n) -> FakeServer.send(ex, 200,
                "{\"token\":\"tok-" + issued.incrementAndGet() + "\"}"));
                FakeServer registry = new FakeServer((ex, n) -> {
                    String auth = ex.getRequestHeaders().getFirst("Authorization");
                    if (auth == null || !auth.equals("Bearer " + valid.get())) {
                        unauthorized(ex, "Bearer realm=\"" + tokens.url() + "/token\",service=\"s\"");
                    } else {
                        manifest(ex);
                    }
                })) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            c.getManifest("a", "1");
            valid.set("tok-2"); // revoked server-side before its expiry
            RawManifest m = c.getManifest("a", "1");
            assertThat(m.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
            assertThat(issued).hasValue(2);
        }
    }

    @Test
    void basicAuth_wrongPassword_failsWithRegistrysMessageAnd401() throws Exception {
        try (FakeServer registry = new FakeServer((ex, n) -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!Credentials.basic("kiln", "right").basicHeader().equals(auth)) {
                unauthorized(ex, "Basic realm=\"kiln\"");
            } else {
                manifest(ex);
            }
        })) {
            RegistryClient wrong = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.basic("kiln", "wrong"), transport, Clock.systemUTC());
            assertThatThrownBy(() -> wrong.getManifest("a", "1"))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("401")
                    .hasMessageContaining("UNAUTHORIZED: authentication required")
                    .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(401));
            assertThat(registry.seen).hasSize(2);

            RegistryClient right = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.basic("kiln", "right"), transport, Clock.systemUTC());
            assertThat(right.getManifest("a", "1").digest()).isEqualTo(Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void getManifest_schema1_isRefusedWithClearError() throws Exception {
        String s1 = "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"1\",\"fsLayers\":[]}";
        try (FakeServer registry = new FakeServer((ex, n) -> FakeServer.send(ex, 200,
                "application/vnd.docker.distribution.manifest.v1+prettyjws", s1.getBytes(StandardCharsets.UTF_8)))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("a", "1"))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("schema 1")
                    .hasMessageContaining("not support");
            String accept = registry.seen.get(0).header("Accept");
            assertThat(accept).contains(MediaType.OCI_INDEX.value()).contains(MediaType.OCI_MANIFEST.value())
                    .contains(MediaType.DOCKER_MANIFEST_LIST.value()).contains(MediaType.DOCKER_MANIFEST.value())
                    .doesNotContain("distribution.manifest.v1");
        }
    }

    @Test
    void getManifest_schema1ServedAsPlainJson_isStillRefused() throws Exception {
        String s1 = "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"1\",\"fsLayers\":[]}";
        try (FakeServer registry = new FakeServer((ex, n) -> FakeServer.send(ex, 200, s1))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("a", "1")).hasMessageContaining("schema 1");
        }
    }

    @Test
    void getManifest_byDigestWithOtherBytes_isRejected() throws Exception {
        Digest wanted = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        try (FakeServer registry = new FakeServer((ex, n) -> manifest(ex))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("a", wanted.toString()))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining(wanted.toString());
        }
    }

    @Test
    void getManifest_withoutMediaTypeField_isDetectedAsOci() throws Exception {
        String bare = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"sha256:" + "b".repeat(64) + "\",\"size\":2},\"layers\":[]}";
        try (FakeServer registry = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "application/json",
                bare.getBytes(StandardCharsets.UTF_8)))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThat(c.getManifest("a", "1").mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        }
    }

    @Test
    void notFound_carriesRegistryCodeAndHint() throws Exception {
        try (FakeServer registry = new FakeServer((ex, n) -> FakeServer.send(ex, 404,
                "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("a", "nope"))
                    .isInstanceOf(RegistryException.class)
                    .satisfies(e -> {
                        RegistryException re = (RegistryException) e;
                        assertThat(re.code()).isEqualTo("MANIFEST_UNKNOWN");
                        assertThat(re.retryable()).isFalse();
                        assertThat(re.hint()).isPresent();
                    });
        }
    }

    // Issue 11, finding 8: a password never goes over plain HTTP to another machine.

    @Test
    void cleartextCredentials_tokenRealmOverPlainHttpElsewhere_isRefusedBeforeAnyConnection() throws Exception {
        // 192.0.2.1 is TEST-NET-1: nothing answers there, so only a refusal can end this quickly and clearly
        try (FakeServer registry = new FakeServer((ex, n) -> unauthorized(ex,
                "Bearer realm=\"http://192.0.2.1/token\",service=\"s\""))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.basic("kiln", "pw"), transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("library/x", "latest"))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("http://192.0.2.1/token")
                    .hasMessageContaining("does not send credentials in clear text");
        }
    }

    @Test
    void cleartextCredentials_plainHttpRegistryElsewhere_isRefused_butLoopbackAndHttpsAreNot() {
        assertThatThrownBy(() -> Authenticator.refuseCleartext(URI.create("http://registry.example:5000"), "r"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("clear text");
        Authenticator.refuseCleartext(URI.create("http://127.0.0.1:5000"), "r");
        Authenticator.refuseCleartext(URI.create("http://[::1]:5000"), "r");
        Authenticator.refuseCleartext(URI.create("http://localhost:5000"), "r");
        Authenticator.refuseCleartext(URI.create("https://registry.example"), "r");
    }

    @Test
    void networkLimits_manifestBiggerThanFourMebibytes_isRefusedClearly() throws Exception {
        String huge = MANIFEST.replace("\"layers\":[]", "\"layers\":[],\"annotations\":{\"a\":\""
                + "x".repeat(5 << 20) + "\"}");
        try (FakeServer registry = new FakeServer((ex, n) -> FakeServer.send(ex, 200, MediaType.OCI_MANIFEST.value(),
                huge.getBytes(StandardCharsets.UTF_8)))) {
            RegistryClient c = new RegistryClient(registry.host(), URI.create(registry.url()),
                    Credentials.ANONYMOUS, transport, Clock.systemUTC());
            assertThatThrownBy(() -> c.getManifest("library/x", "latest"))
                    .isInstanceOf(RegistryException.class).hasMessageContaining("more than 4194304 bytes");
        }
    }
}
