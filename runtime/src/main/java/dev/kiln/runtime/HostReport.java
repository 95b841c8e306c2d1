package dev.kiln.runtime;

import dev.kiln.runtime.linux.Syscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code kiln info}'s findings as {@code name: value} lines: what the machine allows, read before
 * anything is created ({@link #outside}), and, from inside kiln's user namespace where it needs
 * one, what the sandbox's probes found and which isolation kiln picks ({@link #inside}).
 */
public final class HostReport {
    private HostReport() {}

    /** Facts read from /proc and the id files: who kiln runs as, sysctls, newuidmap, subordinate ids. */
    public static List<String> outside() {
        List<String> lines = new ArrayList<>();
        int uid = Syscalls.geteuid();
        lines.add("user: " + HostLimits.userName() + " (uid " + uid + ")");
        if (uid == 0) {
            lines.add("CAP_SYS_ADMIN: " + (HostLimits.hasCapability(HostLimits.CAP_SYS_ADMIN) ? "yes"
                    : "no (a user namespace of kiln's own is tried first)"));
            lines.add("subordinate ids: " + Userns.SubIds.forCurrentUser()
                    .map(r -> "uids " + r.uidStart() + "-" + (r.uidStart() + r.uidCount() - 1) + ", gids "
                            + r.gidStart() + "-" + (r.gidStart() + r.gidCount() - 1)
                            + " (RUN gets a user namespace of its own over them)")
                    .orElse("none for root (no root entry of 65536 ids or more in /etc/subuid and /etc/subgid):"
                            + " RUN is host root, held by Docker's default capabilities, no_new_privs and seccomp"));
        }
        lines.add("in a container: " + (HostLimits.inContainer() ? "yes" : "no sign of one"));
        lines.add("seccomp: " + HostLimits.seccomp().orElse("unknown"));
        List<String[]> blocking = HostLimits.blockingSysctls();
        lines.add("user namespace sysctls: " + (blocking.isEmpty() ? "allow them (max_user_namespaces="
                + HostLimits.sysctl("user.max_user_namespaces").orElse("?") + ")"
                : String.join("; ", blocking.stream().map(b -> b[0] + " — fix: " + b[1]).toList())));
        if (uid != 0) {
            Optional<Path> newuidmap = Userns.SubIds.tool("newuidmap");
            lines.add("newuidmap: " + newuidmap.map(Path::toString).orElse("not found on PATH (install uidmap)"));
            Optional<Userns.SubIds> ids = Userns.SubIds.forCurrentUser();
            lines.add("subordinate ids: " + ids.map(r -> "uids " + r.uidStart() + "-" + (r.uidStart() + r.uidCount() - 1)
                    + ", gids " + r.gidStart() + "-" + (r.gidStart() + r.gidCount() - 1))
                    .orElse("none usable for " + HostLimits.userName()
                            + " (/etc/subuid and /etc/subgid, with newuidmap and newgidmap): only root maps,"
                            + " chown inside RUN fails"));
        }
        return lines;
    }

    /** The lines of {@link #inside}, and whether any isolation works. */
    public record Inside(List<String> lines, boolean works) {
        public Inside {
            lines = List.copyOf(lines);
        }
    }

    /**
     * Opens a sandbox as a build would (upper dirs in {@code upperDirs}) and reports its probes:
     * namespaces, overlay, /proc, and the isolation picked. A refusal becomes the report's last
     * lines instead of an exception.
     */
    public static Inside inside(Isolation requested, Path upperDirs) {
        List<String> lines = new ArrayList<>();
        try (Sandbox sandbox = Sandbox.open(SandboxOptions.of(requested).withUpperDirs(upperDirs))) {
            lines.add("namespaces: " + sandbox.namespaceProblem().map(p -> "refused (" + p + ")").orElse("work"));
            lines.add("overlay in " + upperDirs + ": " + sandbox.overlayProblem().map(p -> "unavailable (" + p + ")")
                    .orElse("works"));
            if (sandbox.isolation() == Isolation.USERNS) {
                lines.add("/proc: " + sandbox.procProblem().map(p -> "kiln's own /proc is bound (a new one: " + p + ")")
                        .orElse("a new proc per container"));
            }
            lines.add("isolation: " + sandbox.describe());
            return new Inside(lines, true);
        } catch (SandboxException e) {
            refusal(e, lines::add);
            return new Inside(lines, false);
        }
    }

    /** The report's last lines when no isolation works here ({@code Userns.ensureInside} or the sandbox refused). */
    public static void refusal(SandboxException e, Consumer<String> out) {
        out.accept("isolation: none works here: " + e.getMessage());
        e.hint().ifPresent(h -> out.accept("fix: " + h));
    }
}
