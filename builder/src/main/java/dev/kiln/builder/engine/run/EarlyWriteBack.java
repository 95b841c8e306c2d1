package dev.kiln.builder.engine.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts writing a file system's dirty data to disk early, on a thread of its own, so that a
 * later sync that must finish before something is trusted (a RUN's upper dir kept as a layer,
 * {@link RuntimeRunExecutor#keepAsLayer}) finds little left to write. A base layer just
 * extracted is ~200 MB of page cache that nothing else flushes for half a minute; without this
 * the first RUN's sync wrote it, 0.3-0.4 s on the build's critical path.
 *
 * <p>It promises nothing about durability: a failed write-back is only logged, the sync that
 * guards the store reports its own. Requests while one runs are folded into one more pass, so
 * at most one task runs on the executor at a time, and it ends when nothing is asked for.
 */
final class EarlyWriteBack {
    /** What writes a file system back; syncfs(2) in production. */
    interface Sync {
        void sync(Path onFileSystem) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(EarlyWriteBack.class.getName());
    private final Sync sync;
    private final Executor executor;
    private Path pending;
    private boolean running;

    /** @param executor runs the passes (the RUN executor's pool of daemon threads) */
    EarlyWriteBack(Sync sync, Executor executor) {
        this.sync = sync;
        this.executor = executor;
    }

    /** Asks for {@code dir}'s file system to be written back soon; returns at once. */
    synchronized void request(Path dir) {
        pending = dir;
        if (!running) {
            try {
                executor.execute(this::drain);
                running = true;
            } catch (RejectedExecutionException closed) {
                pending = null; // the executor has ended: nothing to write back for any more
            }
        }
    }

    private void drain() {
        while (true) {
            Path dir;
            synchronized (this) {
                dir = pending;
                pending = null;
                if (dir == null) {
                    running = false;
                    notifyAll();
                    return;
                }
            }
            try {
                sync.sync(dir);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "early write-back of {0} failed: {1}", dir, e.toString());
            }
        }
    }

    /** Waits until no write-back runs or is asked for (for tests and orderly ends). */
    synchronized void awaitIdle() throws InterruptedException {
        while (running) {
            wait();
        }
    }
}
