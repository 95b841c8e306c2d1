package dev.kiln.builder.registry;

import dev.kiln.oci.ChunkReadInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A response body with a read timeout and a size cap, which {@code java.net.http} does not give:
 * its request timeout ends when the headers arrive, and a body can then trickle, or stop, forever.
 * Each read waits at most {@code idle} for data; a body longer than {@code limit} fails. Both
 * failures are {@link IOException}s that say what was being read.
 */
public final class StallGuard extends ChunkReadInputStream {
    /** How long a registry or web server may send nothing in the middle of a body. */
    public static final Duration IDLE = Duration.ofSeconds(60);

    private final Duration idle;
    private final long limit;
    private final String what;
    private final ExecutorService reader;
    private long read;

    private StallGuard(InputStream in, Duration idle, long limit, String what) {
        super(in);
        this.idle = idle;
        this.limit = limit;
        this.what = what;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-http-read");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code in}, failing when it sends nothing for {@code idle} or more than {@code limit} bytes. */
    public static InputStream wrap(InputStream in, Duration idle, long limit, String what) {
        return new StallGuard(in, idle, limit, what);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        // ask for one byte past the limit, so that a body of exactly the limit still ends cleanly
        long room = limit == Long.MAX_VALUE ? len : limit - read + 1;
        int ask = (int) Math.min(len, Math.max(1, room));
        Future<Integer> f = reader.submit(() -> in.read(b, off, ask));
        int n;
        try {
            n = f.get(idle.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            close();
            throw new IOException(what + ": no data for " + idle.toSeconds() + " s; giving up");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted");
        }
        if (n > 0) {
            read += n;
            if (read > limit) {
                close();
                throw new IOException(what + ": more than " + limit + " bytes; refusing the rest");
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        reader.shutdownNow();
        in.close();
    }
}
