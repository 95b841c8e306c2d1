package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An ended client leaves no thread behind: its selector thread, left running, waits in native
 * code, which makes every JVM exit wait 300 ms, and outlives the build in a long-lived JVM.
 */
class OwnedHttpClientTest {

    private static HttpResponse<String> get(HttpClient client, FakeServer s) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void end_afterARequest_stopsEveryThreadTheClientStarted() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "ok"))) {
            OwnedHttpClient owned = OwnedHttpClient.build(HttpClient.newBuilder());
            assertThat(get(owned.client(), s).body()).isEqualTo("ok");
            assertThat(owned.liveThreads()).as("the client's selector thread").isNotEmpty();

            owned.end();

            assertThat(owned.liveThreads()).isEmpty();
            assertThatThrownBy(owned::client).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void end_leavesOtherClientsWorking() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "ok"))) {
            OwnedHttpClient ended = OwnedHttpClient.build(HttpClient.newBuilder());
            OwnedHttpClient kept = OwnedHttpClient.build(HttpClient.newBuilder());
            HttpClient plain = HttpClient.newHttpClient();

            ended.end();

            assertThat(get(kept.client(), s).body()).isEqualTo("ok");
            assertThat(get(plain, s).body()).isEqualTo("ok");
            assertThat(kept.liveThreads()).isNotEmpty();
            kept.end();
        }
    }

    @Test
    void transportClose_endsTheClientsItMade() throws Exception {
        try (FakeServer s = new FakeServer((ex, n) -> FakeServer.send(ex, 200, "ok"))) {
            Set<Thread> before = clientThreads();
            HttpTransport transport = HttpTransport.standard();
            try (InputStream body = transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build()).body()) {
                body.readAllBytes();
            }
            Set<Thread> made = clientThreads();
            made.removeAll(before);
            assertThat(made).as("threads of the transport's client").isNotEmpty();

            transport.close();

            assertThat(made).noneMatch(Thread::isAlive);
            assertThatThrownBy(() -> transport.send(HttpRequest.newBuilder(URI.create(s.url() + "/v2/")).build()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** Live threads of every client made through {@link OwnedHttpClient} in this JVM. */
    private static Set<Thread> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getThreadGroup() != null && "kiln-http-client".equals(t.getThreadGroup().getName()))
                .collect(Collectors.toSet());
    }
}
