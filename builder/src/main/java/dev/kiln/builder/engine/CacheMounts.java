package dev.kiln.builder.engine;

import dev.kiln.builder.dockerfile.RunMount;
import dev.kiln.oci.Digester;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The persistent directories of {@code RUN --mount=type=cache}: {@code ROOT/<sha256 of the
 * identity>}, where the identity is the mount's id plus what seeds it ({@code from}, uid, gid,
 * mode), as BuildKit keys its cache refs. They survive builds; {@code --no-cache} does not touch
 * them. A directory is made complete under a temporary name and renamed into place, so a crash
 * never leaves a half-seeded cache. Sharing, through file locks (two kiln processes agree) and an
 * in-process semaphore per lock file (parallel stages agree):
 * {@code shared} — any number of RUNs at once; {@code locked} — one at a time, the others wait;
 * {@code private} — a RUN that finds the directory busy uses another instance ({@code HASH-1}, ...).
 */
final class CacheMounts {
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
    private final Path root;

    CacheMounts(Path root) {
        this.root = root;
    }

    /** Fills a new cache directory (seed content, owner, mode) before it is published. */
    interface Init {
        void fill(Path dir) throws IOException;
    }

    /** A cache directory in use; {@link #close} releases its lock. */
    static final class Lease implements AutoCloseable {
        private final Path dir;
        private final Lock lock;

        private Lease(Path dir, Lock lock) {
            this.dir = dir;
            this.lock = lock;
        }

        Path dir() {
            return dir;
        }

        @Override
        public void close() {
            if (lock != null) {
                lock.release();
            }
        }
    }

    /** The directory for {@code identity}, created with {@code init} when missing, held as {@code sharing} says. */
    Lease acquire(String identity, RunMount.Sharing sharing, Init init) throws InterruptedException {
        String hash = Digester.sha256().update(identity.getBytes(StandardCharsets.UTF_8)).digest().hex();
        try {
            Files.createDirectories(root);
            switch (sharing) {
                case LOCKED -> {
                    Lock lock = Lock.take(root.resolve(hash + ".lock"), true);
                    return new Lease(ensure(hash, init), lock);
                }
                case PRIVATE -> {
                    for (int i = 0; ; i++) {
                        String name = i == 0 ? hash : hash + "-" + i;
                        Lock lock = Lock.take(root.resolve(name + ".lock"), false);
                        if (lock != null) {
                            return new Lease(ensure(name, init), lock);
                        }
                    }
                }
                default -> {
                    Path dir = root.resolve(hash);
                    if (!Files.isDirectory(dir)) {
                        try (Lease creating = new Lease(null, Lock.take(root.resolve(hash + ".lock"), true))) {
                            ensure(hash, init);
                        }
                    }
                    return new Lease(dir, null);
                }
            }
        } catch (IOException e) {
            throw new KilnException("cache mount " + root.resolve(hash) + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code root/name} through a temporary directory unless it exists; the caller holds its lock. */
    private Path ensure(String name, Init init) throws IOException {
        Path dir = root.resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path tmp = Files.createTempDirectory(root, name + ".new-");
        try {
            init.fill(tmp);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                Scratch.delete(tmp);
            }
        }
        return dir;
    }

    /** An exclusive lock on one lock file: the in-process semaphore, then the file lock. */
    private static final class Lock {
        private final Semaphore local;
        private final FileChannel channel;
        private final FileLock file;

        private Lock(Semaphore local, FileChannel channel, FileLock file) {
            this.local = local;
            this.channel = channel;
            this.file = file;
        }

        /** Takes the lock, waiting when {@code wait}; null when not waiting and it is held elsewhere. */
        static Lock take(Path path, boolean wait) throws IOException, InterruptedException {
            Semaphore local = IN_PROCESS.computeIfAbsent(path, p -> new Semaphore(1));
            if (wait) {
                local.acquire();
            } else if (!local.tryAcquire()) {
                return null;
            }
            FileChannel ch = null;
            try {
                ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = wait ? ch.lock() : ch.tryLock();
                if (lock == null) {
                    ch.close();
                    local.release();
                    return null;
                }
                return new Lock(local, ch, lock);
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                }
                local.release();
                throw e;
            }
        }

        void release() {
            try {
                file.release();
                channel.close();
            } catch (IOException ignored) {
                // closing the channel drops the lock anyway
            } finally {
                local.release();
            }
        }
    }
}
