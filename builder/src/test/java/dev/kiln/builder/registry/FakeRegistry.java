package dev.kiln.builder.registry;

import com.sun.net.httpserver.HttpExchange;
import dev.kiln.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory registry implementing the parts of the distribution API kiln uses: blobs (HEAD,
 * GET), uploads (POST with or without mount, PATCH chunks with Content-Range checks, PUT with
 * digest verification) and manifests (PUT, GET with their content type). Built on {@link FakeServer},
 * so every request is recorded.
 */
public final class FakeRegistry implements AutoCloseable {
    /** repo → digest → bytes */
    final Map<String, Map<String, byte[]>> blobs = new ConcurrentHashMap<>();
    /** repo → reference → (content type, bytes) */
    final Map<String, Map<String, String[]>> manifests = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    /** digest → where GETs of that blob break off, and how many more of them do */
    private final Map<String, int[]> cuts = new ConcurrentHashMap<>();
    final FakeServer server;
    /** a blob's digest, or "manifests/" and a manifest's reference → its slow download */
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    /** Sends a blob's first {@code after} bytes, counts {@code sent} down, and the rest once {@code release} is. */
    private record Hold(int after, CountDownLatch sent, CountDownLatch release) {
        void send(HttpExchange ex, String contentType, byte[] blob) throws IOException {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, blob.length);
            OutputStream out = ex.getResponseBody();
            out.write(blob, 0, after);
            out.flush();
            sent.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException("the fake registry was stopped", e);
            }
            out.write(blob, after, blob.length - after);
            out.close();
        }
    }

    public FakeRegistry() throws IOException {
        this("127.0.0.1");
    }

    /** @param address an IPv4 address of this machine to listen on, e.g. one off loopback */
    public FakeRegistry(String address) throws IOException {
        server = new FakeServer(address, (ex, n) -> handle(ex));
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        if (path.equals("/v2/")) {
            FakeServer.send(ex, 200, "{}");
            return;
        }
        int b = path.indexOf("/blobs/");
        int m = path.indexOf("/manifests/");
        if (b > 0 && path.contains("/blobs/uploads/")) {
            String repo = path.substring(4, b);
            upload(ex, method, repo, path.substring(path.indexOf("/uploads/") + 9), query);
        } else if (b > 0) {
            String repo = path.substring(4, b);
            byte[] blob = blobs.getOrDefault(repo, Map.of()).get(path.substring(b + 7));
            int[] cut = cuts.get(path.substring(b + 7));
            if (blob == null) {
                FakeServer.send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\"}]}");
            } else if (cut != null && method.equals("GET") && cut[1]-- > 0) {
                FakeServer.sendTruncated(ex, blob, cut[0]);
            } else if (holds.containsKey(path.substring(b + 7)) && method.equals("GET")) {
                holds.get(path.substring(b + 7)).send(ex, "application/octet-stream", blob);
            } else {
                FakeServer.send(ex, 200, "application/octet-stream", blob);
            }
        } else if (m > 0) {
            String repo = path.substring(4, m);
            String ref = path.substring(m + 11);
            if (method.equals("PUT")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                String[] entry = {ex.getRequestHeaders().getFirst("Content-Type"), new String(body, StandardCharsets.ISO_8859_1)};
                Map<String, String[]> repoManifests = manifests.computeIfAbsent(repo, r -> new ConcurrentHashMap<>());
                repoManifests.put(ref, entry);
                repoManifests.put(Digest.sha256(body).toString(), entry);
                FakeServer.send(ex, 201, "application/json", new byte[0]);
            } else {
                String[] entry = manifests.getOrDefault(repo, Map.of()).get(ref);
                if (entry == null) {
                    FakeServer.send(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                } else if (holds.containsKey("manifests/" + ref) && method.equals("GET")) {
                    holds.get("manifests/" + ref).send(ex, entry[0], entry[1].getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    FakeServer.send(ex, 200, entry[0], entry[1].getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        } else {
            FakeServer.send(ex, 404, "{}");
        }
    }

    private void upload(HttpExchange ex, String method, String repo, String id, Map<String, String> query)
            throws IOException {
        if (method.equals("POST")) {
            String mount = query.get("mount");
            String from = query.get("from");
            if (mount != null && from != null && blobs.getOrDefault(from, Map.of()).containsKey(mount)) {
                blobs.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(mount, blobs.get(from).get(mount));
                FakeServer.send(ex, 201, "application/json", new byte[0]);
                return;
            }
            String uuid = UUID.randomUUID().toString();
            uploads.put(uuid, new ByteArrayOutputStream());
            ex.getResponseHeaders().set("Location", "/v2/" + repo + "/blobs/uploads/" + uuid + "?state=0");
            FakeServer.send(ex, 202, "application/json", new byte[0]);
            return;
        }
        ByteArrayOutputStream buffer = uploads.get(id);
        if (buffer == null) {
            FakeServer.send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_UNKNOWN\",\"message\":\"unknown upload\"}]}");
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        if (method.equals("PATCH")) {
            String range = ex.getRequestHeaders().getFirst("Content-Range");
            if (range == null || Long.parseLong(range.split("-")[0]) != buffer.size()) {
                FakeServer.send(ex, 416, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_INVALID\",\"message\":\"bad range " + range + "\"}]}");
                return;
            }
            buffer.write(body);
            ex.getResponseHeaders().set("Location", "/v2/" + repo + "/blobs/uploads/" + id + "?state=" + buffer.size());
            FakeServer.send(ex, 202, "application/json", new byte[0]);
            return;
        }
        buffer.write(body);
        byte[] all = buffer.toByteArray();
        String digest = query.get("digest");
        if (digest == null || !Digest.sha256(all).toString().equals(digest)) {
            FakeServer.send(ex, 400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"digest mismatch\"}]}");
            return;
        }
        uploads.remove(id);
        blobs.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(digest, all);
        FakeServer.send(ex, 201, "application/json", new byte[0]);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    /** From now on serves {@code bytes} as the blob {@code digest} of {@code repo}: a registry that lies. */
    public void serveBlob(String repo, Digest digest, byte[] bytes) {
        blobs.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(digest.toString(), bytes);
    }

    /**
     * Breaks the next {@code times} GETs of the blob {@code digest} off after {@code cut} bytes (a
     * connection reset); this registry ignores {@code Range}, so a GET after them sends all of it.
     */
    public void cutBlob(Digest digest, int cut, int times) {
        cuts.put(digest.toString(), new int[] {cut, times});
    }

    /**
     * Makes GETs of the blob {@code digest} slow: each sends the first {@code after} bytes, counts
     * {@code sent} down, and sends the rest only once {@code release} is counted down.
     */
    public void holdBlob(Digest digest, int after, CountDownLatch sent, CountDownLatch release) {
        holds.put(digest.toString(), new Hold(after, sent, release));
    }

    /** As {@link #holdBlob}, for GETs of the manifest {@code reference} (a tag or digest) of any repository. */
    public void holdManifest(String reference, int after, CountDownLatch sent, CountDownLatch release) {
        holds.put("manifests/" + reference, new Hold(after, sent, release));
    }

    public String host() {
        return server.host();
    }

    public long count(String method, String pathPart) {
        return server.seen.stream().filter(s -> s.method().equals(method) && s.path().contains(pathPart)).count();
    }

    @Override
    public void close() {
        server.close();
    }
}
