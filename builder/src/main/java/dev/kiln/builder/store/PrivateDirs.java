package dev.kiln.builder.store;

import dev.kiln.oci.KilnException;
import dev.kiln.runtime.IdMapping;
import dev.kiln.runtime.Userns;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * kiln's own directories (the store, with its extracted layers, RUN upper dirs, cache mounts and
 * scratch space; the runtime dir of containers) are the user's alone: mode 0700, so that other
 * local users cannot read a build's files or reach a setuid binary in an extracted layer. A
 * directory kiln is told to use in a shared place such as {@code /tmp} must be a real directory
 * owned by the user, never a symbolic link or another user's directory planted there first.
 */
public final class PrivateDirs {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirs() {}

    /**
     * Creates {@code dir} (mode 0700) if missing, else checks it is a directory, not a symbolic
     * link, owned by this user, and makes it 0700.
     */
    public static Path ensure(Path dir) throws IOException {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            giveToHostRoot(dir);
        } catch (FileAlreadyExistsException exists) {
            // checked below
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException("refusing " + dir + ": it is not a directory but "
                    + (Files.isSymbolicLink(dir) ? "a symbolic link" : "a file"),
                    "someone may have planted it; remove it, or use another directory", null);
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!isMine(owner)) {
            throw new KilnException("refusing " + dir + ": it belongs to uid " + owner + ", not to this user",
                    "someone may have planted it; remove it, or use another directory", null);
        }
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
        return dir;
    }

    /**
     * Creates {@code dir} (mode 0700) if missing, or makes it 0700 if this user owns it (a store
     * made by an older kiln); a directory of someone else's is left as it is (root may use any
     * user's store).
     */
    public static Path restrict(Path dir) throws IOException {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException exists) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && isMine((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    && !Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
        }
        return dir;
    }

    /**
     * When kiln is real root over its subordinate range, makes {@code dir} (just created, so its
     * namespace's root's, a subordinate id) host root's, as it is when root runs kiln outside.
     */
    private static void giveToHostRoot(Path dir) throws IOException {
        if (Userns.current().isEmpty()) {
            return;
        }
        IdMapping mapping = IdMapping.current();
        if (mapping.mapsHostRootAside()) {
            Files.setAttribute(dir, "unix:uid", (int) mapping.hostRootAside().getAsLong(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir, "unix:gid", (int) mapping.hostRootGroupAside().orElse(65534), LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * True for this user's uid, and, when kiln is real root over its subordinate range, for the id
     * host root has in kiln's namespace (what root made outside it).
     */
    private static boolean isMine(int owner) {
        return owner == Syscalls.getuid()
                || Userns.current().isPresent() && IdMapping.current().hostRootAside().orElse(-1) == owner;
    }
}
