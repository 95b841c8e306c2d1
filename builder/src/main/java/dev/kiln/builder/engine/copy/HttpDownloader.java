package dev.kiln.builder.engine.copy;

import dev.kiln.builder.registry.OwnedHttpClient;
import dev.kiln.builder.registry.StallGuard;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Downloads ADD URLs into scratch files, checking {@code --checksum} and keeping Last-Modified as mtime. */
public final class HttpDownloader implements CopyPlanner.Downloader, AutoCloseable {
    private final Path dir;
    /** The largest file ADD downloads. */
    static final long MAX_BYTES = 4L << 30;

    /**
     * Made on the first download and ended by {@link #close()}: a client starts a selector thread
     * that waits in native code, and the JVM waits up to 300 ms at exit for such threads, so a
     * build without ADD URL makes none (see {@link OwnedHttpClient}).
     */
    private OwnedHttpClient client;

    public HttpDownloader(Path dir) {
        this.dir = dir;
    }

    private final java.util.Map<String, Path> done = new java.util.concurrent.ConcurrentHashMap<>();

    /** Each URL is fetched once per build (the planner asks twice: for the cache key and to copy). */
    @Override
    public Path download(String url, String checksum) {
        return done.computeIfAbsent(url + "\n" + checksum, k -> fetch(url, checksum));
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = OwnedHttpClient.build(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30)));
        }
        return client.client();
    }

    /** Ends the client, if a download made one; a later download makes a new one. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.end();
            client = null;
        }
    }

    private Path fetch(String url, String checksum) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "add-", ".download");
            HttpResponse<InputStream> r = client().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                r.body().close();
                throw new KilnException("ADD " + url + ": HTTP " + r.statusCode(), null, null);
            }
            Digest got;
            try (DigestingInputStream in = new DigestingInputStream(
                    StallGuard.wrap(r.body(), StallGuard.IDLE, MAX_BYTES, "ADD " + url))) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                got = in.digest();
            }
            if (checksum != null && !checksum.isEmpty() && !got.toString().equals(checksum)) {
                Files.deleteIfExists(tmp);
                throw new KilnException("ADD " + url + ": checksum mismatch: expected " + checksum + ", got " + got,
                        "update --checksum if the file changed on purpose", null);
            }
            r.headers().firstValue("Last-Modified").ifPresent(lm -> {
                try {
                    Files.setLastModifiedTime(tmp, FileTime.from(ZonedDateTime.parse(lm,
                            DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
                } catch (RuntimeException | IOException ignored) {
                    // keep the download time
                }
            });
            return tmp;
        } catch (IOException e) {
            throw new KilnException("ADD " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("ADD " + url + ": interrupted", e);
        }
    }
}
