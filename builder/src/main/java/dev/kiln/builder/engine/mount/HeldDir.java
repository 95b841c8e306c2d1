package dev.kiln.builder.engine.mount;

import dev.kiln.builder.store.StoreLock;
import dev.kiln.runtime.linux.OwnedTempDir;
import java.nio.file.Path;

/**
 * A directory a RUN step uses, held under a lock so that other steps and kilns see it is busy;
 * {@link #close} releases the lock, first deleting the directory when it belonged to the step
 * alone (a secret, an {@link OwnedTempDir}) rather than outliving it (a cache, under a {@link
 * StoreLock}).
 *
 * @param release what {@link #close} does
 */
record HeldDir(Path dir, Runnable release) implements AutoCloseable {
    /** A directory that stays after {@link #close}, which releases {@code lock} (null: nothing is held). */
    static HeldDir kept(Path dir, StoreLock lock) {
        return new HeldDir(dir, lock == null ? () -> {} : lock::close);
    }

    /** A directory that {@link #close} deletes before it releases its lock. */
    static HeldDir owned(OwnedTempDir dir) {
        return new HeldDir(dir.dir(), dir::close);
    }

    @Override
    public void close() {
        release.run();
    }
}
