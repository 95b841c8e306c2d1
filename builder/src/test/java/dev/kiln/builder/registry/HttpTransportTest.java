package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HttpTransportTest {
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final HttpTransport transport = new HttpTransport(HttpTransport.defaultClient(),
            new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(30), waits::add));

    private static String body(HttpResponse<InputStream> r) {
        return new String(HttpTransport.readSmallBody(r), StandardCharsets.UTF_8);
    }

    @Test
    void send_500Then200_retriesAndReturnsTheSuccess() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                FakeServer.send(ex, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"boom\"}]}");
            } else {
                FakeServer.send(ex, 200, "ok");
            }
        })) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(body(r)).isEqualTo("ok");
            assertThat(s.seen).hasSize(2);
            assertThat(waits).hasSize(1);
        }
    }

    @Test
    void send_429WithRetryAfter_waitsWhatTheServerSays() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                ex.getResponseHeaders().set("Retry-After", "7");
                FakeServer.send(ex, 429, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
            } else {
                FakeServer.send(ex, 200, "ok");
            }
        })) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(waits).containsExactly(Duration.ofSeconds(7));
        }
    }

    @Test
    void send_always503_givesUpAfterMaxAttemptsAndReturnsLastResponse() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 503, "{}"))) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(s.seen).hasSize(4);
            assertThat(waits).hasSize(3).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(30)));
        }
    }

    @Test
    void send_redirectToAnotherHost_dropsAuthorization() throws Exception {
        try (FakeServer storage = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "blob"));
                FakeServer registry = new FakeServer((ex, n) -> {
                    // "localhost" vs "127.0.0.1": the same machine, another host name.
                    ex.getResponseHeaders().set("Location",
                            "http://localhost:" + storage.host().split(":")[1] + "/bucket/blob?sig=1");
                    FakeServer.send(ex, 307, "application/octet-stream", new byte[0]);
                })) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(
                    URI.create(registry.url() + "/v2/a/blobs/sha256:x"))
                    .header("Authorization", "Bearer secret").build());
            assertThat(body(r)).isEqualTo("blob");
            assertThat(registry.seen.get(0).header("Authorization")).isEqualTo("Bearer secret");
            assertThat(storage.seen).hasSize(1);
            assertThat(storage.seen.get(0).path()).isEqualTo("/bucket/blob");
            assertThat(storage.seen.get(0).header("Authorization")).isNull();
        }
    }

    @Test
    void send_redirectToSignedStorageUrl_debugLogKeepsTheSignatureOut() throws Exception {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(HttpTransport.class.getName());
        List<String> logged = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Level before = jul.getLevel();
        jul.setLevel(java.util.logging.Level.ALL);
        jul.addHandler(capture);
        try (FakeServer storage = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "blob"));
                FakeServer registry = new FakeServer((ex, n) -> {
                    ex.getResponseHeaders().set("Location", storage.url()
                            + "/bucket/blob?X-Amz-Credential=AKIDSECRET&X-Amz-Signature=deadbeefsig");
                    FakeServer.send(ex, 307, "application/octet-stream", new byte[0]);
                })) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(
                    URI.create(registry.url() + "/v2/a/blobs/sha256:x")).build());
            assertThat(body(r)).isEqualTo("blob");
            assertThat(storage.seen.get(0).path()).isEqualTo("/bucket/blob");
        } finally {
            jul.removeHandler(capture);
            jul.setLevel(before);
        }
        assertThat(logged).anySatisfy(m -> assertThat(m).contains("redirect").contains("/bucket/blob?…"));
        assertThat(logged).noneSatisfy(m -> assertThat(m).containsAnyOf("AKIDSECRET", "deadbeefsig"));
    }

    @Test
    void send_redirectOnSameHost_keepsAuthorization() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> {
            if (n == 1) {
                ex.getResponseHeaders().set("Location", "/elsewhere");
                FakeServer.send(ex, 302, "text/plain", new byte[0]);
            } else {
                FakeServer.send(ex, 200, "here");
            }
        })) {
            HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/start"))
                    .header("Authorization", "Basic abc").build());
            assertThat(body(r)).isEqualTo("here");
            assertThat(s.seen.get(1).header("Authorization")).isEqualTo("Basic abc");
        }
    }

    @Test
    void send_nothingListening_failsWithRegistryExceptionNamingHost() throws Exception {
        String host;
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "x"))) {
            host = s.host();
        }
        assertThatThrownBy(() -> transport.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("cannot reach " + host);
        assertThat(waits).hasSize(3);
    }

    @Test
    void send_uploadRequestOnDeadConnection_isNotRepeated() throws Exception {
        String host;
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "x"))) {
            host = s.host();
        }
        assertThatThrownBy(() -> transport.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/a/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()))
                .isInstanceOf(RegistryException.class);
        assertThat(waits).isEmpty();
    }

    @Test
    void retryAfter_httpDateAndGarbage_areHandled() {
        assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon")).isNull();
        RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(5), d -> {});
        assertThat(p.delay(1, "3600")).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.delay(3, null)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    }
}
