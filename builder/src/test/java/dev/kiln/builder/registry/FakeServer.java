package dev.kiln.builder.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A tiny in-process HTTP server on 127.0.0.1 (or another address of this machine), port 0, for
 * fault tests. The test supplies one handler; every request is recorded.
 */
final class FakeServer implements AutoCloseable {

    /** One recorded request. */
    record Seen(String method, String path, String query, Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange, int count) throws IOException;
    }

    private final HttpServer server;
    private final String address;
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    FakeServer(Handler handler) throws IOException {
        this("127.0.0.1", handler);
    }

    /** @param address an IPv4 address of this machine to listen on */
    FakeServer(String address, Handler handler) throws IOException {
        this.address = address;
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", ex -> {
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    ex.getRequestURI().getRawQuery(), copy(ex.getRequestHeaders())));
            try {
                handler.handle(ex, seen.size());
            } finally {
                ex.close();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    private static Headers copy(Headers h) {
        Headers c = new Headers();
        h.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return c;
    }

    String host() {
        return address + ":" + server.getAddress().getPort();
    }

    String url() {
        return "http://" + host();
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
        }
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static void send(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the status line, headers and the first {@code cut} bytes of the body, then drops the connection. */
    static void sendTruncated(HttpExchange ex, byte[] body, int cut) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, cut);
        out.flush();
        // Abort the connection: the client sees a reset / premature EOF mid-body.
        throw new IOException("fake reset after " + cut + " bytes");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
