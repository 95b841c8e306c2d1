package dev.kiln.builder.engine.mount;

import dev.kiln.builder.dockerfile.RunMount;
import dev.kiln.builder.store.StoreLock;
import dev.kiln.oci.Digester;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The persistent directories of {@code RUN --mount=type=cache}: {@code ROOT/<sha256 of the
 * identity>}, where the identity is the mount's id plus what seeds it ({@code from}, uid, gid,
 * mode), as BuildKit keys its cache refs. They survive builds; {@code --no-cache} does not touch
 * them. A directory is made complete under a temporary name and renamed into place, so a crash
 * never leaves a half-seeded cache. Sharing, through the store's {@link StoreLock}s (two kiln
 * processes and parallel stages agree):
 * {@code shared} — any number of RUNs at once; {@code locked} — one at a time, the others wait;
 * {@code private} — a RUN that finds the directory busy uses another instance ({@code HASH-1}, ...).
 */
public final class CacheMounts {
    private final Path root;

    public CacheMounts(Path root) {
        this.root = root;
    }

    /** Fills a new cache directory (seed content, owner, mode) before it is published. */
    interface Init {
        void fill(Path dir) throws IOException;
    }

    /** The directory for {@code identity}, created with {@code init} when missing, held as {@code sharing} says. */
    HeldDir acquire(String identity, RunMount.Sharing sharing, Init init) {
        String hash = Digester.sha256().update(identity.getBytes(StandardCharsets.UTF_8)).digest().hex();
        try {
            Files.createDirectories(root);
            switch (sharing) {
                case LOCKED -> {
                    StoreLock lock = StoreLock.exclusive(root.resolve(hash + ".lock"));
                    return HeldDir.kept(ensure(hash, init), lock);
                }
                case PRIVATE -> {
                    for (int i = 0; ; i++) {
                        String name = i == 0 ? hash : hash + "-" + i;
                        StoreLock lock = StoreLock.tryExclusive(root.resolve(name + ".lock"));
                        if (lock != null) {
                            return HeldDir.kept(ensure(name, init), lock);
                        }
                    }
                }
                default -> {
                    Path dir = root.resolve(hash);
                    if (!Files.isDirectory(dir)) {
                        try (StoreLock creating = StoreLock.exclusive(root.resolve(hash + ".lock"))) {
                            ensure(hash, init);
                        }
                    }
                    return HeldDir.kept(dir, null);
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
                FileTrees.deleteQuietly(tmp);
            }
        }
        return dir;
    }
}
