package dev.kiln.builder.engine.mount;

import dev.kiln.builder.store.StoreLock;
import dev.kiln.oci.files.FileTrees;
import java.nio.file.Path;

/**
 * A directory a RUN step uses, held under a {@link StoreLock} so that other steps and kilns see it
 * is busy; {@link #close} releases the lock, first deleting the directory when it belonged to the
 * step alone (a secret) rather than outliving it (a cache).
 *
 * @param lock null when the directory is shared and nothing is held
 */
record HeldDir(Path dir, StoreLock lock, boolean deleteOnClose) implements AutoCloseable {
    /** A directory that stays after {@link #close}. */
    static HeldDir kept(Path dir, StoreLock lock) {
        return new HeldDir(dir, lock, false);
    }

    /** A directory that {@link #close} deletes before it releases {@code lock}. */
    static HeldDir deletedOnClose(Path dir, StoreLock lock) {
        return new HeldDir(dir, lock, true);
    }

    @Override
    public void close() {
        if (deleteOnClose) {
            FileTrees.deleteQuietly(dir);
        }
        if (lock != null) {
            lock.close();
        }
    }
}
