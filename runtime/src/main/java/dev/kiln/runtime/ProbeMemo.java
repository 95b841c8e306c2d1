package dev.kiln.runtime;

import dev.kiln.oci.Digest;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.files.FileNames;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The start-up probe's answer kept on disk, so that the next sandbox over the same upper dirs,
 * kernel, ids and limits starts no probe container (and need not wait for its spawner to open).
 * Only "everything works" is kept: namespaces can be created, overlay mounts where the upper dirs
 * live and, where it was probed, the chown recorder gets its listener. A remembered answer can
 * therefore only make kiln try the strongest isolation, never a weaker one; when it no longer holds,
 * the first container fails before exec (at clone, a mount, the chown listener) and {@link Sandbox} probes again
 * (and forgets it).
 *
 * <p>The entry is one file named by the SHA-256 of its key — every fact the probe's answer depends on,
 * as text: the kernel (release and build), kiln's effective uid and id maps, the upper dirs' real path
 * and device (their file system), the namespace limits ({@code /proc/sys/user/max_*_namespaces} and the
 * distribution switches for unprivileged user namespaces), this process's seccomp, no_new_privs and
 * capability state, and the options asked for. The file holds the key itself, compared byte for byte:
 * a file that is missing, unreadable, damaged or written for other facts is not used.
 */
final class ProbeMemo {
    private static final System.Logger LOG = System.getLogger(ProbeMemo.class.getName());
    /** Raised when what the probe does changes, so that older answers are not used. */
    private static final String FORMAT = "kiln isolation probe 1";
    private static final List<String> SWITCHES = List.of(
            "/proc/sys/kernel/osrelease", "/proc/sys/kernel/version",
            "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups",
            "/proc/sys/user/max_user_namespaces", "/proc/sys/user/max_mnt_namespaces",
            "/proc/sys/user/max_pid_namespaces", "/proc/sys/user/max_uts_namespaces",
            "/proc/sys/user/max_ipc_namespaces", "/proc/sys/user/max_net_namespaces",
            "/proc/sys/kernel/unprivileged_userns_clone",
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    private static final List<String> STATUS = List.of(
            "NoNewPrivs:", "Seccomp:", "Seccomp_filters:", "CapEff:", "CapBnd:");

    private final Path file;
    private final byte[] entry;

    private ProbeMemo(Path file, byte[] entry) {
        this.file = file;
        this.entry = entry;
    }

    /**
     * The memo in {@code dir} for a sandbox probing in {@code upperDirs} with {@code options}, or
     * null when the facts cannot be read (then the probe runs, as without a memo).
     */
    static ProbeMemo in(Path dir, Path upperDirs, SandboxOptions options) {
        try {
            StringBuilder key = new StringBuilder(FORMAT).append('\n');
            key.append("euid ").append(Syscalls.geteuid()).append('\n');
            for (String s : SWITCHES) {
                Path p = Path.of(s);
                key.append(s).append(' ').append(Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1).strip()
                        .replaceAll("\\s+", " ") : "-").append('\n');
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (STATUS.stream().anyMatch(line::startsWith)) {
                    key.append(line.replaceAll("\\s+", " ")).append('\n');
                }
            }
            Files.createDirectories(upperDirs);
            Path real = upperDirs.toRealPath();
            key.append("upper dirs ").append(FileNames.text(real))
                    .append(" dev ").append(Files.getAttribute(real, "unix:dev", LinkOption.NOFOLLOW_LINKS)).append('\n');
            key.append("asked ").append(options.isolation()).append(" overlay ").append(options.overlay())
                    .append(" record owners ").append(options.recordOwners()).append('\n');
            byte[] bytes = key.toString().getBytes(StandardCharsets.UTF_8);
            return new ProbeMemo(dir.resolve(Digest.sha256(bytes).hex().substring(0, 32)), bytes);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "the isolation probe''s answer is not remembered: {0}", e.toString());
            return null;
        }
    }

    /** True when everything was found to work with exactly these facts. */
    boolean remembered() {
        try {
            return Arrays.equals(Files.readAllBytes(file), entry);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot read the remembered isolation probe {0}: {1}", file, e.getMessage());
            return false;
        }
    }

    /** Keeps "everything works" for these facts; a failure to write only costs the next probe. */
    void remember() {
        try {
            AtomicFiles.write(file, entry, file.getParent());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "cannot remember the isolation probe in {0}: {1}", file, e.getMessage());
        }
    }

    /** Drops the entry: its facts no longer hold. */
    void forget() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot delete the remembered isolation probe {0}: {1}", file, e.getMessage());
        }
    }

    Path file() {
        return file;
    }
}
