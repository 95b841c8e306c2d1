package dev.kiln.builder.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.layout.OciArchiveReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A read-only registry on 127.0.0.1 serving the one image of an OCI archive as
 * {@code kiln-cds-training:latest}, for {@link CdsTraining}'s pull: so the start-up cache holds
 * the HTTP client's, the registry client's and the extraction's classes, which every cold build
 * and {@code kiln run} of a missing image load. Serves only {@code /v2/}, that manifest and the
 * archive's blobs; never listens beyond the loopback address; ends with {@link #close}.
 */
final class TrainingRegistry implements AutoCloseable {
    static final String REPOSITORY = "kiln-cds-training";
    private final HttpServer server;
    private final OciArchiveReader image;
    private final Descriptor manifest;

    private TrainingRegistry(HttpServer server, OciArchiveReader image, Descriptor manifest) {
        this.server = server;
        this.image = image;
        this.manifest = manifest;
    }

    static TrainingRegistry serve(OciArchiveReader image) throws IOException {
        Descriptor manifest = image.resolve(null).orElseThrow(() -> new IOException("no single image in " + image.archive()));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TrainingRegistry registry = new TrainingRegistry(server, image, manifest);
        server.createContext("/v2/", registry::answer);
        server.start();
        return registry;
    }

    /** host:port of the registry. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean head = exchange.getRequestMethod().equals("HEAD");
            String prefix = "/v2/" + REPOSITORY + "/";
            if (path.equals("/v2/")) {
                send(exchange, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), null, head);
            } else if (path.equals(prefix + "manifests/latest") || path.equals(prefix + "manifests/" + manifest.digest())) {
                send(exchange, 200, manifest.mediaType().value(), image.readAll(manifest.digest()), manifest.digest(), head);
            } else if (path.startsWith(prefix + "blobs/") && isBlob(path.substring((prefix + "blobs/").length()))) {
                Digest digest = Digest.parse(path.substring((prefix + "blobs/").length()));
                send(exchange, 200, "application/octet-stream", image.readAll(digest), digest, head);
            } else {
                send(exchange, 404, "application/json",
                        "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not here\"}]}".getBytes(StandardCharsets.UTF_8),
                        null, head);
            }
        }
    }

    private boolean isBlob(String text) {
        try {
            return image.has(Digest.parse(text));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, Digest digest, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
        if (digest != null) {
            exchange.getResponseHeaders().set("Docker-Content-Digest", digest.toString());
        }
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
