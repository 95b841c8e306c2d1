package dev.kiln.runtime;

import dev.kiln.runtime.linux.Syscalls;
import dev.kiln.runtime.linux.UsernsLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The user namespace containers enter when kiln is real root over its own subordinate range
 * ({@link Userns.MappingKind#ROOT_RANGE}). kiln's namespace maps the range and, aside, host root
 * (so that kiln reaches root's store, context and home); this one, its child, maps the range only.
 * A container makes its mounts in kiln's namespace, then enters this one right before it gives up
 * capabilities: from there no id it can take is host root's, a file it makes (or chowns, or marks
 * setuid) anywhere the host sees belongs to a subordinate id, and its mounts are locked (their
 * namespace belongs to the parent).
 *
 * <p>Made once per sandbox: a short-lived {@code sleep} is started in a new user namespace, its
 * maps written, the namespace opened, and the process killed; the open descriptor keeps the
 * namespace, and each container opens it through {@code /proc/<kiln>/fd/<n>}.
 */
final class ContainerUserns implements AutoCloseable {
    private final int fd;

    private ContainerUserns(int fd) {
        this.fd = fd;
    }

    /** A child namespace of kiln's mapping {@code kilns} without its host root id. */
    static ContainerUserns create(IdMapping kilns) {
        IdMapping inner = kilns.withoutHostRoot();
        String uidMap = selfMap(inner.uids());
        String gidMap = selfMap(inner.gids());
        Optional<Path> sleep = Userns.SubIds.tool("sleep");
        if (sleep.isEmpty()) {
            throw new SandboxException("cannot give containers a user namespace of their own: no sleep "
                    + "on PATH to hold it", "install coreutils, or give root no /etc/subuid entry");
        }
        UsernsLauncher launcher = new UsernsLauncher();
        UsernsLauncher.Launch launch;
        try {
            launch = launcher.launch(sleep.get().toString(), List.of("sleep", "2147483647"), List.of(), pid -> {
                Path proc = Path.of("/proc", Integer.toString(pid));
                Files.writeString(proc.resolve("uid_map"), uidMap);
                Files.writeString(proc.resolve("gid_map"), gidMap);
            });
        } catch (IOException e) {
            throw new SandboxException("cannot create the containers' user namespace: " + e.getMessage(),
                    null, "clone", 0, e);
        }
        if (!launch.started()) {
            String why = launch.mapError() != null ? launch.mapError().getMessage()
                    : launch.failedStep() + ": " + dev.kiln.runtime.linux.Errno.describe(launch.errno());
            throw new SandboxException("cannot create the containers' user namespace: " + why,
                    HostLimits.namespaceFix(), launch.failedStep(), launch.errno(), null);
        }
        try {
            return new ContainerUserns(Syscalls.openReadOnly(Path.of("/proc", Integer.toString(launch.pid()),
                    "ns", "user")));
        } catch (IOException e) {
            throw new SandboxException("cannot open the containers' user namespace: " + e.getMessage(),
                    null, null, 0, e);
        } finally {
            Syscalls.kill(launch.pid(), Syscalls.SIGKILL);
            launcher.waitFor(launch.pid());
        }
    }

    /** Each range of kiln's namespace over itself: the child sees kiln's ids unchanged. */
    private static String selfMap(List<IdMapping.Range> ranges) {
        return ranges.stream().map(r -> r.inside() + " " + r.inside() + " " + r.count() + "\n")
                .collect(Collectors.joining());
    }

    /** The path a container opens to reach the namespace: kiln's descriptor in /proc. */
    String path() {
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    }

    @Override
    public void close() {
        Syscalls.close(fd);
    }
}
