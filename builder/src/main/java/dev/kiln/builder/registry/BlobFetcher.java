package dev.kiln.builder.registry;

import dev.kiln.builder.store.CrashPoint;
import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.progress.ProgressInputStream;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.oci.layout.BlobWriter;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.http.HttpResponse;

/**
 * Downloads one blob into the store, verifying its digest while it streams. When the connection
 * breaks part-way, asks for the rest with {@code Range} (starting over if the registry ignores it),
 * a bounded number of times. A blob whose bytes do not match is never stored.
 */
public final class BlobFetcher {
    private static final System.Logger LOG = System.getLogger(BlobFetcher.class.getName());
    static final int MAX_RESUMES = 5;

    private final RegistryClient client;
    private final LocalStore store;
    private final RetryPolicy retry;
    private final ProgressListener progress;

    public BlobFetcher(RegistryClient client, LocalStore store, RetryPolicy retry, ProgressListener progress) {
        this.client = client;
        this.store = store;
        this.retry = retry;
        this.progress = progress;
    }

    /** Fetches {@code blob} from {@code repo} unless the store already has it. */
    public void fetch(String repo, Descriptor blob) {
        fetch(repo, blob, LayerTap.NONE);
    }

    /**
     * Fetches {@code blob} from {@code repo} unless the store already has it; a blob it downloads
     * also goes to {@code tap}'s sink for it, if any, which is returned once the blob is stored
     * (the caller then {@linkplain LayerTap.Sink#finish finishes} or abandons it). A failed
     * download abandons its sink before it throws; null when there is no sink.
     */
    public LayerTap.Sink fetch(String repo, Descriptor blob, LayerTap tap) {
        String id = blob.digest().shortHex();
        if (store.hasBlob(blob)) {
            progress.on(new ProgressEvent.Finished(id, "already exists"));
            return null;
        }
        progress.on(new ProgressEvent.Started(id, blob.mediaType().isLayer() ? "layer" : "blob", blob.size()));
        String what = "blob " + blob.digest() + " from " + client.registry() + "/" + repo;
        Tee tee = new Tee(blob.mediaType().isLayer() ? tap.open(blob) : null);
        try (BlobWriter out = store.newWriter(blob.digest().algorithm())) {
            int resumes = 0;
            while (true) {
                long offset = out.size();
                HttpResponse<InputStream> r = client.openBlob(repo, blob.digest(), offset);
                if (offset > 0 && r.statusCode() == 200) {
                    LOG.log(Level.DEBUG, "{0} ignored Range; starting {1} again", client.registry(), blob.digest());
                    out.restart();
                }
                tee.continuesAt(out.size());
                long start = out.size();
                try (InputStream in = new ProgressInputStream(StallGuard.wrap(r.body(), StallGuard.IDLE,
                        Long.MAX_VALUE, what), progress, id, start, blob.size())) {
                    copyAtMost(in, out, blob.size() + 1, tee);
                } catch (IOException e) {
                    if (++resumes > MAX_RESUMES) {
                        throw new RegistryException(what + ": connection broke " + resumes + " times; last: "
                                + e.getMessage(), 0, null, true, "try again later", e);
                    }
                    LOG.log(Level.DEBUG, "{0} broke after {1} bytes ({2}); resuming", what, out.size(), e.toString());
                    retry.pause(retry.delay(resumes, null));
                    continue;
                }
                if (out.size() < blob.size() && out.size() > start && resumes < MAX_RESUMES) {
                    resumes++; // a clean EOF before the announced size: ask for the rest
                    continue;
                }
                break;
            }
            CrashPoint.reached("pull");
            out.commit(what, blob.digest(), blob.size());
        } catch (RuntimeException e) {
            tee.abandon();
            throw e;
        }
        progress.on(new ProgressEvent.Finished(id, "downloaded"));
        return tee.sink;
    }

    /** A blob's sink, if any, and how many bytes it was given: exactly the writer's bytes, or it is abandoned. */
    private static final class Tee {
        private LayerTap.Sink sink;
        private long given;

        Tee(LayerTap.Sink sink) {
            this.sink = sink;
        }

        void write(byte[] b, int off, int len) {
            if (sink != null) {
                sink.write(b, off, len);
                given += len;
            }
        }

        /**
         * The download goes on after {@code size} bytes in the writer: a sink that was given other
         * bytes (a registry that ignored Range starts over; a write that failed part-way) is abandoned.
         */
        void continuesAt(long size) {
            if (size != given) {
                abandon();
            }
        }

        void abandon() {
            if (sink != null) {
                sink.abandon();
                sink = null;
            }
        }
    }

    /**
     * Copies until EOF, or until {@code limit} bytes (a stream longer than announced is cut off),
     * passing each chunk on to {@code tee} after it was written.
     */
    private static void copyAtMost(InputStream in, BlobWriter out, long limit, Tee tee) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while (out.size() < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - out.size()))) >= 0) {
            out.write(buf, 0, n);
            tee.write(buf, 0, n);
        }
    }
}
