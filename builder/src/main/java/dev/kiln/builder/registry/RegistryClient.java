package dev.kiln.builder.registry;

import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The distribution API of one registry endpoint: manifests, blobs, uploads, mounts. Auth is
 * negotiated on the first 401 and reused; see {@link Authenticator}. Thread-safe.
 */
public final class RegistryClient {
    /** Every manifest type kiln reads, in order of preference. Schema 1 is deliberately absent. */
    static final String ACCEPT = String.join(", ", MediaType.OCI_INDEX.value(), MediaType.OCI_MANIFEST.value(),
            MediaType.DOCKER_MANIFEST_LIST.value(), MediaType.DOCKER_MANIFEST.value());
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final String registry;
    private final URI base;
    private final HttpTransport transport;
    private final Authenticator auth;

    /**
     * @param registry the name used for credentials and messages ({@code docker.io}, {@code host:port})
     * @param base {@code http(s)://host[:port]} of the API endpoint (a mirror's, possibly)
     */
    public RegistryClient(String registry, URI base, Credentials credentials, HttpTransport transport, Clock clock) {
        this.registry = registry;
        this.base = base;
        this.transport = transport;
        this.auth = new Authenticator(registry, base, credentials, transport, clock);
    }

    public String registry() {
        return registry;
    }

    public URI base() {
        return base;
    }

    static List<String> pullScope(String repo) {
        return List.of("repository:" + repo + ":pull");
    }

    static List<String> pushScope(String repo) {
        return List.of("repository:" + repo + ":pull,push");
    }

    /** Checks the credentials: {@code GET /v2/} must answer 200 once authenticated. */
    public void ping() {
        HttpResponse<InputStream> r = execute(() -> get(uri("/v2/")), List.of());
        expect(r, "log in to " + registry, 200);
    }

    /** Fetches a manifest or index by tag or digest; refuses schema 1; verifies digest references. */
    public RawManifest getManifest(String repo, String reference) {
        String what = "manifest " + registry + "/" + repo + ":" + reference;
        HttpResponse<InputStream> r = execute(() -> get(uri("/v2/" + repo + "/manifests/" + reference))
                .header("Accept", ACCEPT), pullScope(repo));
        byte[] body = readAll(expect(r, "fetch " + what, 200), what);
        MediaType type = r.headers().firstValue("Content-Type")
                .map(RegistryClient::stripParams)
                .filter(t -> !t.isEmpty() && !t.equals("application/json") && !t.equals("text/plain"))
                .map(MediaType::of)
                .orElseGet(() -> detect(body, what));
        if (type.isSchema1() || detect(body, what).isSchema1()) {
            KilnException s1 = Json.schema1();
            throw new RegistryException(what + " is a " + s1.getMessage().replace(" is not supported", "")
                    + ", which kiln does not support", 0, "MANIFEST_SCHEMA1", false, s1.hint().orElse(null), null);
        }
        Digest computed = Digest.sha256(body);
        if (Digest.isDigest(reference)) {
            Digest expected = Digest.parse(reference);
            Digest actual = expected.recompute(body);
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(what, expected, actual);
            }
            computed = actual;
        }
        return new RawManifest(type, body, computed);
    }

    private static MediaType detect(byte[] body, String what) {
        try {
            return Json.detectMediaType(body);
        } catch (KilnException e) {
            throw new RegistryException(what + ": " + e.getMessage(), null);
        }
    }

    private static String stripParams(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).strip();
    }

    /** The blob's size if the repository has it, empty if not. */
    public Optional<Long> blobSize(String repo, Digest digest, boolean forPush) {
        HttpResponse<InputStream> r = execute(() -> head(uri("/v2/" + repo + "/blobs/" + digest)),
                forPush ? pushScope(repo) : pullScope(repo));
        HttpTransport.drain(r);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, "check blob " + digest + " in " + registry + "/" + repo, 200);
        return Optional.of(r.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /**
     * Opens a blob, from byte {@code offset} on when it is above zero. The answer is 200 (whole
     * blob) or 206 (the rest); anything else is thrown. The caller closes the body.
     */
    public HttpResponse<InputStream> openBlob(String repo, Digest digest, long offset) {
        HttpResponse<InputStream> r = execute(() -> {
            HttpRequest.Builder b = get(uri("/v2/" + repo + "/blobs/" + digest));
            if (offset > 0) {
                b.header("Range", "bytes=" + offset + "-");
            }
            return b;
        }, pullScope(repo));
        return expect(r, "fetch blob " + digest + " from " + registry + "/" + repo, 200, 206);
    }

    /** Reads a small blob (a config) whole, verifying digest and size. */
    public byte[] readBlob(String repo, Descriptor blob) {
        String what = "blob " + blob.digest() + " from " + registry + "/" + repo;
        HttpResponse<InputStream> r = openBlob(repo, blob.digest(), 0);
        byte[] bytes;
        try (InputStream in = StallGuard.wrap(r.body(), StallGuard.IDLE, Long.MAX_VALUE, what)) {
            bytes = in.readNBytes((int) Math.min(blob.size() + 1, 64 << 20));
        } catch (IOException e) {
            throw new RegistryException("reading " + what + " failed: " + e.getMessage(), 0, null, true, null, e);
        }
        if (bytes.length != blob.size()) {
            throw new DigestMismatchException(what, blob.digest(), blob.size(), bytes.length);
        }
        Digest actual = blob.digest().recompute(bytes);
        if (!actual.equals(blob.digest())) {
            throw new DigestMismatchException(what, blob.digest(), actual);
        }
        return bytes;
    }

    /**
     * Asks the registry to link a blob from another repository on it.
     *
     * @return the upload URL to use when the mount was refused (202), or empty when mounted (201)
     */
    public Optional<URI> mountBlob(String repo, Digest digest, String fromRepo) {
        List<String> scopes = List.of("repository:" + repo + ":pull,push", "repository:" + fromRepo + ":pull");
        HttpResponse<InputStream> r = execute(() -> post(uri("/v2/" + repo + "/blobs/uploads/?mount="
                + enc(digest.toString()) + "&from=" + enc(fromRepo))), scopes);
        expect(r, "mount blob " + digest + " from " + fromRepo + " into " + repo, 201, 202);
        HttpTransport.drain(r);
        return r.statusCode() == 201 ? Optional.empty() : Optional.of(location(r));
    }

    /** Starts an upload session, returning its URL. */
    public URI startUpload(String repo) {
        HttpResponse<InputStream> r = execute(() -> post(uri("/v2/" + repo + "/blobs/uploads/")), pushScope(repo));
        expect(r, "start blob upload to " + registry + "/" + repo, 202);
        HttpTransport.drain(r);
        return location(r);
    }

    /** Uploads a whole file in one PUT. */
    public void uploadMonolithic(String repo, URI session, Digest digest, Path file) {
        HttpResponse<InputStream> r = execute(() -> {
            try {
                return HttpRequest.newBuilder(withDigest(session, digest)).timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofFile(file));
            } catch (IOException e) {
                throw new KilnException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }, pushScope(repo));
        expect(r, "upload blob " + digest + " to " + registry + "/" + repo, 201);
        HttpTransport.drain(r);
    }

    /** Uploads a file in PATCH chunks of {@code chunkSize} bytes, then closes the upload with a PUT. */
    public void uploadChunked(String repo, URI session, Digest digest, Path file, int chunkSize) {
        URI next = session;
        String what = "upload blob " + digest + " to " + registry + "/" + repo;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            long offset = 0;
            byte[] chunk;
            while ((chunk = in.readNBytes(chunkSize)).length > 0) {
                byte[] body = chunk;
                long start = offset;
                URI target = next;
                HttpResponse<InputStream> r = execute(() -> HttpRequest.newBuilder(target).timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", start + "-" + (start + body.length - 1))
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)), pushScope(repo));
                expect(r, what, 202);
                HttpTransport.drain(r);
                next = location(r);
                offset += body.length;
            }
        } catch (IOException e) {
            throw new KilnException("cannot read " + file + ": " + e.getMessage(), e);
        }
        URI last = next;
        HttpResponse<InputStream> r = execute(() -> HttpRequest.newBuilder(withDigest(last, digest))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.noBody()), pushScope(repo));
        expect(r, what, 201);
        HttpTransport.drain(r);
    }

    /** Puts a manifest under a tag or its digest, with its own media type; returns the digest. */
    public Digest putManifest(String repo, String reference, RawManifest manifest) {
        HttpResponse<InputStream> r = execute(() -> HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + reference))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", manifest.mediaType().value())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())), pushScope(repo));
        expect(r, "push manifest " + registry + "/" + repo + ":" + reference, 201, 200);
        HttpTransport.drain(r);
        return manifest.digest();
    }

    // --- plumbing -------------------------------------------------------------------------------

    private HttpResponse<InputStream> execute(Supplier<HttpRequest.Builder> request, List<String> scopes) {
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = request.get();
            String header = auth.header(scopes).orElse(null);
            if (header != null) {
                b.header("Authorization", header);
            }
            b.header("User-Agent", "kiln");
            HttpResponse<InputStream> r = transport.send(b.build());
            if (r.statusCode() == 401 && attempt < 2 && auth.onUnauthorized(r, scopes, header)) {
                HttpTransport.drain(r);
                continue;
            }
            return r;
        }
    }

    private HttpResponse<InputStream> expect(HttpResponse<InputStream> r, String what, int... ok) {
        for (int s : ok) {
            if (r.statusCode() == s) {
                return r;
            }
        }
        throw RegistryErrors.fromResponse(what, r.statusCode(), HttpTransport.readSmallBody(r));
    }

    /** The most of a manifest kiln reads; the distribution spec asks registries to take 4 MiB. */
    static final int MAX_MANIFEST = 4 << 20;

    private static byte[] readAll(HttpResponse<InputStream> r, String what) {
        try (InputStream in = StallGuard.wrap(r.body(), StallGuard.IDLE, MAX_MANIFEST, what)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new RegistryException("reading " + what + " failed: " + e.getMessage(), 0, null, true, null, e);
        }
    }

    private URI location(HttpResponse<?> r) {
        String loc = r.headers().firstValue("Location").orElseThrow(() ->
                new RegistryException(registry + " answered " + r.statusCode() + " to "
                        + r.request().method() + " " + r.request().uri().getPath() + " without a Location", null));
        return r.request().uri().resolve(loc);
    }

    private static URI withDigest(URI session, Digest digest) {
        String s = session.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + enc(digest.toString()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    private static HttpRequest.Builder get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
    }

    private static HttpRequest.Builder head(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).method("HEAD", HttpRequest.BodyPublishers.noBody());
    }

    private static HttpRequest.Builder post(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody());
    }
}
