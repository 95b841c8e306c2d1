package dev.kiln.builder.progress;

import dev.kiln.oci.ChunkReadInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reports bytes read through it as {@link ProgressEvent.Advanced}, at most every 256 KiB. */
public final class ProgressInputStream extends ChunkReadInputStream {
    private static final long STEP = 256 * 1024;

    private final ProgressListener listener;
    private final String id;
    private final long total;
    private long done;
    private long reported;

    public ProgressInputStream(InputStream in, ProgressListener listener, String id, long start, long total) {
        super(in);
        this.listener = listener;
        this.id = id;
        this.total = total;
        this.done = start;
        this.reported = start;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(long n) {
        done += n;
        if (done - reported >= STEP || done == total) {
            reported = done;
            listener.on(new ProgressEvent.Advanced(id, done, total));
        }
    }
}
