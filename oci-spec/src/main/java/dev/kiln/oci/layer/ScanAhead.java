package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.UnaryOperator;

/**
 * Scans a tree ({@link DirectoryScanner}) on a thread of its own while the caller writes the
 * entries already found: the entries come in layer order, in batches, through a bounded queue; a
 * failure of the scan is thrown by {@link #next} as it was thrown there. {@link #close} stops the
 * scan when the writer gives up first.
 */
final class ScanAhead implements AutoCloseable {
    private static final int BATCH = 256;
    private static final int BATCHES_AHEAD = 64;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
    private final Thread thread;
    private List<?> batch = List.of();
    private int index;
    private boolean ended;
    private volatile long scanNanos = -1;

    /** Starts scanning {@code root}; each entry goes through {@code map} on the scanning thread. */
    ScanAhead(Path root, boolean overlayWhiteouts, FileReads reads, UnaryOperator<LayerEntry> map) {
        thread = new Thread(() -> scan(root, overlayWhiteouts, reads, map), "kiln-scan");
        thread.setDaemon(true);
        thread.start();
    }

    private void scan(Path root, boolean overlayWhiteouts, FileReads reads, UnaryOperator<LayerEntry> map) {
        long start = System.nanoTime();
        try {
            List<LayerEntry> pending = new ArrayList<>(BATCH);
            DirectoryScanner.scan(root, overlayWhiteouts, reads, entry -> {
                pending.add(map.apply(entry));
                if (pending.size() == BATCH) {
                    put(new ArrayList<>(pending));
                    pending.clear();
                }
            });
            put(pending);
            scanNanos = System.nanoTime() - start;
            put(END);
        } catch (InterruptedIOException e) {
            // the writer stopped: nobody waits for more
        } catch (IOException | RuntimeException | Error e) {
            try {
                put(e);
            } catch (InterruptedIOException stopped) {
                // the writer stopped
            }
        }
    }

    private void put(Object item) throws InterruptedIOException {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("layer scan stopped");
        }
    }

    /** The next entry in layer order, or null after the last. */
    LayerEntry next() throws IOException {
        while (index == batch.size()) {
            if (ended) {
                return null;
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while scanning a layer");
            }
            if (item == END) {
                ended = true;
            } else if (item instanceof IOException e) {
                throw e;
            } else if (item instanceof RuntimeException e) {
                throw e;
            } else if (item instanceof Error e) {
                throw e;
            } else {
                batch = (List<?>) item;
                index = 0;
            }
        }
        return (LayerEntry) batch.get(index++);
    }

    /** How long the scan took, once it has ended (-1 before). */
    long scanNanos() {
        return scanNanos;
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
