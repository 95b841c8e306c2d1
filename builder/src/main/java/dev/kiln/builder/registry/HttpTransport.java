package dev.kiln.builder.registry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Sends one logical HTTP request: retries 429 and 5xx answers (except to upload chunks) and broken
 * connections of idempotent requests with backoff (honouring {@code Retry-After}), and follows redirects itself so that the {@code Authorization} header is
 * dropped whenever the host changes (blob storage behind a redirect must never see registry
 * credentials). Everything else, including 401 and 404, goes back to the caller.
 */
public final class HttpTransport implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());
    private static final int MAX_REDIRECTS = 10;

    static {
        // Read layers in 256 KiB buffers rather than 16 KiB: fewer hand-offs between the client's
        // selector thread and ours. Must be set before the first HttpClient class is loaded.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", String.valueOf(256 * 1024));
        }
    }

    private final Supplier<HttpClient> plain;
    private final Supplier<HttpClient> tls;
    private final RetryPolicy retry;
    /** The clients this transport made itself, ended by {@link #close()}. */
    private final List<OwnedHttpClient> made = new ArrayList<>();
    private volatile boolean closed;

    /** Sends everything through {@code client}, which stays the caller's to end. */
    public HttpTransport(HttpClient client, RetryPolicy retry) {
        this.plain = () -> client;
        this.tls = () -> client;
        this.retry = retry;
    }

    /**
     * Two clients made on first use: one for {@code https}, and one for plain {@code http} that never
     * loads the CA certificates (parsing them costs a noticeable part of a short command's start-up).
     */
    private HttpTransport(RetryPolicy retry) {
        this.plain = lazily(() -> own(clientBuilder(noTlsContext())));
        this.tls = lazily(() -> own(clientBuilder(null)));
        this.retry = retry;
    }

    public static HttpTransport standard() {
        return new HttpTransport(RetryPolicy.standard());
    }

    public static HttpClient defaultClient() {
        return clientBuilder(null).build();
    }

    private static HttpClient.Builder clientBuilder(SSLContext ssl) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        return b;
    }

    private HttpClient own(HttpClient.Builder builder) {
        OwnedHttpClient client = OwnedHttpClient.build(builder);
        synchronized (made) {
            made.add(client);
        }
        return client.client();
    }

    /**
     * Ends the clients this transport made (see {@link OwnedHttpClient}); requests still running
     * fail. A client given to the constructor is left alone. Sending afterwards throws.
     */
    @Override
    public void close() {
        closed = true;
        List<OwnedHttpClient> ending;
        synchronized (made) {
            ending = new ArrayList<>(made);
            made.clear();
        }
        for (OwnedHttpClient c : ending) {
            c.end();
        }
    }

    /** A TLS context that trusts nothing: the plain-HTTP client must never make a TLS connection. */
    private static SSLContext noTlsContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("plain-HTTP client");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("plain-HTTP client");
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    private static <T> Supplier<T> lazily(Supplier<T> make) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = make.get();
                }
                return value;
            }
        };
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    /**
     * Sends the request, retrying and redirecting as needed. The caller owns (and must close) the
     * returned body.
     */
    public HttpResponse<InputStream> send(HttpRequest request) {
        HttpRequest current = request;
        int redirects = 0;
        int attempt = 1;
        while (true) {
            if (closed) { // each retry and redirect too: an ended client's request would never finish
                throw new IllegalStateException("the registry transport is closed");
            }
            HttpResponse<InputStream> response;
            try {
                HttpClient client = "https".equalsIgnoreCase(current.uri().getScheme()) ? tls.get() : plain.get();
                response = client.send(current, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (attempt >= retry.maxAttempts() || e instanceof javax.net.ssl.SSLException
                        || !isIdempotent(current)) {
                    throw unreachable(current, e);
                }
                Duration d = retry.delay(attempt, null);
                LOG.log(Level.DEBUG, "{0} {1}: {2}; retrying in {3} ms", current.method(),
                        shown(current.uri()), e, d.toMillis());
                retry.pause(d);
                attempt++;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted: " + current.method() + " " + shown(current.uri()), null);
            }
            int status = response.statusCode();
            if (isRedirect(status)) {
                drain(response);
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException("too many redirects from " + request.uri(), null);
                }
                current = redirected(current, response, status);
                continue;
            }
            if (RegistryErrors.isRetryable(status) && attempt < retry.maxAttempts()
                    && !current.method().equals("PATCH")) {
                String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                drain(response);
                Duration d = retry.delay(attempt, retryAfter);
                LOG.log(Level.DEBUG, "{0} {1}: {2}; retrying in {3} ms", current.method(),
                        shown(current.uri()), status, d.toMillis());
                retry.pause(d);
                attempt++;
                continue;
            }
            return response;
        }
    }

    /**
     * Whether resending after a broken connection is safe: the request may have reached the
     * registry, and a repeated upload chunk or session start would corrupt or leak an upload.
     */
    private static boolean isIdempotent(HttpRequest request) {
        String m = request.method();
        return m.equals("GET") || m.equals("HEAD") || (m.equals("PUT") && request.uri().getPath().contains("/manifests/"));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static HttpRequest redirected(HttpRequest from, HttpResponse<?> response, int status) {
        String location = response.headers().firstValue("Location").orElseThrow(() ->
                new RegistryException(status + " redirect from " + shown(from.uri()) + " without a Location", null));
        URI target = from.uri().resolve(location);
        boolean sameHost = Objects.equals(authority(target), authority(from.uri()))
                && Objects.equals(target.getScheme(), from.uri().getScheme());
        HttpRequest.Builder b = HttpRequest.newBuilder(from,
                (name, value) -> sameHost || !name.equalsIgnoreCase("Authorization"));
        b.uri(target);
        if (status == 303 || (status <= 302 && from.method().equals("POST"))) {
            b.GET();
        }
        LOG.log(Level.DEBUG, "redirect {0} -> {1}{2}", shown(from.uri()), shown(target),
                sameHost ? "" : " (Authorization dropped)");
        return b.build();
    }

    /**
     * {@code uri} as logs and messages show it: without its query (a redirect to blob storage is
     * signed there, e.g. {@code X-Amz-Signature}, and an upload URL carries its state) and
     * without user info.
     */
    static String shown(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() == null ? "" : "?…");
    }

    private static String authority(URI uri) {
        return uri.getRawAuthority() == null ? null : uri.getRawAuthority().toLowerCase(Locale.ROOT);
    }

    private static RegistryException unreachable(HttpRequest request, IOException e) {
        String host = request.uri().getHost() + (request.uri().getPort() > 0 ? ":" + request.uri().getPort() : "");
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new RegistryException("cannot reach " + host + " (" + request.method() + " "
                + request.uri().getPath() + "): " + why, 0, null, true,
                "check the registry is running and reachable; plain-HTTP registries that are not on "
                        + "loopback need --insecure-registry " + host, e);
    }

    /** Reads up to 1 MiB of a body (for error messages) and closes it. */
    public static byte[] readSmallBody(HttpResponse<InputStream> response) {
        try (InputStream in = StallGuard.wrap(response.body(), StallGuard.IDLE, Long.MAX_VALUE, "response")) {
            return in.readNBytes(1 << 20);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * Reads what is left of a body that is not needed, so that the connection can be reused: a
     * little at most (a hostile server could send forever); past that the connection is dropped.
     */
    static void drain(HttpResponse<InputStream> response) {
        try (InputStream in = StallGuard.wrap(response.body(), Duration.ofSeconds(10), DRAIN_LIMIT, "drain")) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // too long or too slow: the connection is discarded
        }
    }

    /** The most of an unneeded body {@link #drain} reads. */
    static final long DRAIN_LIMIT = 64 * 1024;
}
