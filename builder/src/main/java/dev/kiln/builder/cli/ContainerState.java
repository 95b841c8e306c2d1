package dev.kiln.builder.cli;

import dev.kiln.runtime.IdMapping;
import dev.kiln.runtime.linux.Syscalls;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where {@code kiln run} keeps its containers: {@code ${XDG_RUNTIME_DIR}/kiln/containers/<id>}
 * (fallback {@code /tmp/kiln-<uid>/containers}), one directory per container with its upper and
 * work dirs.
 */
final class ContainerState {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerState() {}

    static Path root() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg, "kiln")
                : Path.of("/tmp", "kiln-" + hostUid());
        return base.resolve("containers");
    }

    /** The caller's uid on the host, also from inside kiln's user namespace. */
    static long hostUid() {
        IdMapping m = IdMapping.current();
        for (IdMapping.Range r : m.uids()) {
            if (r.inside() <= Syscalls.getuid() && Syscalls.getuid() < r.inside() + r.count()) {
                return r.outside() + Syscalls.getuid() - r.inside();
            }
        }
        return Syscalls.getuid();
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
