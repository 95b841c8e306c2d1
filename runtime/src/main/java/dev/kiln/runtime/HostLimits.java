package dev.kiln.runtime;

import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this machine lets kiln do, read from {@code /proc} and the files the tools read: the
 * sysctls that switch user namespaces off, whether kiln runs in a container, its capabilities, the
 * user's subordinate ids and the {@code newuidmap} it would run. It also owns the sentence that
 * tells the user what to change when isolation is refused, so every refusal names the same fix.
 */
public final class HostLimits {
    static final int CAP_SYS_ADMIN = 21;
    private static final Path PROC_SYS = Path.of("/proc/sys");

    private HostLimits() {}

    /** The user kiln runs for: outside its user namespace, whose name inside is {@code root}. */
    public static String userName() {
        return System.getProperty(Userns.USER_PROPERTY, System.getProperty("user.name"));
    }

    /** True when this process has {@code capability} in its effective set. */
    static boolean hasCapability(int capability) {
        Optional<String> eff = statusField("CapEff");
        return eff.isPresent() && new BigInteger(eff.get(), 16).testBit(capability);
    }

    private static Optional<String> statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name + ":")) {
                    return Optional.of(line.substring(name.length() + 1).trim());
                }
            }
        } catch (IOException e) {
            // no /proc
        }
        return Optional.empty();
    }

    /** True when {@code /proc/self/status} says no_new_privs or seccomp filtering is on. */
    public static Optional<String> seccomp() {
        return statusField("Seccomp").map(v -> switch (v) {
            case "0" -> "off";
            case "1" -> "strict";
            case "2" -> "filtered";
            default -> v;
        });
    }

    /** True when kiln itself runs in a container (Docker, podman, Kubernetes, systemd-nspawn...). */
    public static boolean inContainer() {
        return Files.exists(Path.of("/.dockerenv")) || Files.exists(Path.of("/run/.containerenv"))
                || System.getenv("KUBERNETES_SERVICE_HOST") != null || System.getenv("container") != null;
    }

    /** A sysctl's value, if the kernel has it. */
    public static Optional<String> sysctl(String name) {
        try {
            return Optional.of(Files.readString(PROC_SYS.resolve(name.replace('.', '/'))).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The sysctls that block unprivileged user namespaces here, each with the command that lifts it. */
    public static List<String[]> blockingSysctls() {
        List<String[]> out = new ArrayList<>();
        if (sysctl("user.max_user_namespaces").filter("0"::equals).isPresent()) {
            out.add(new String[] {"user namespaces are disabled (sysctl user.max_user_namespaces=0)",
                "sysctl -w user.max_user_namespaces=28633"});
        }
        if (sysctl("kernel.unprivileged_userns_clone").filter("0"::equals).isPresent()) {
            out.add(new String[] {"unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)",
                "sysctl -w kernel.unprivileged_userns_clone=1"});
        }
        if (sysctl("kernel.apparmor_restrict_unprivileged_userns").filter("1"::equals).isPresent()) {
            out.add(new String[] {"AppArmor restricts unprivileged user namespaces "
                    + "(sysctl kernel.apparmor_restrict_unprivileged_userns=1, as on Ubuntu 24.04)",
                "load an AppArmor profile that allows userns for java (docs/environments.md), or "
                        + "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"});
        }
        return out;
    }

    /** " (why)" for the sysctls blocking user namespaces, or "". */
    static String sysctlNote() {
        return sysctlNote(0);
    }

    /** Like {@link #sysctlNote()}, also naming the nesting limit when {@code errno} is ENOSPC. */
    static String sysctlNote(int errno) {
        StringBuilder sb = new StringBuilder();
        blockingSysctls().forEach(b -> sb.append(" (").append(b[0]).append(')'));
        if (errno == ENOSPC) {
            sb.append(" (the limit on user namespaces is reached: user.max_user_namespaces is ")
                    .append(sysctl("user.max_user_namespaces").orElse("?"))
                    .append(" here, as bwrap --disable-userns or a parent container sets it)");
        }
        return sb.toString();
    }

    private static final int ENOSPC = 28;
    private static final int EPERM = 1;

    /**
     * What to change when user namespaces cannot be had: the sysctl or AppArmor fix when one
     * explains it, the seccomp setting in a container, and chroot only where it can work (root).
     */
    static String namespaceFix() {
        return namespaceFix(0);
    }

    /** Like {@link #namespaceFix()} for a failure with {@code errno} (0: unknown). */
    static String namespaceFix(int errno) {
        List<String> fixes = new ArrayList<>();
        blockingSysctls().forEach(b -> fixes.add(b[1] + " (as root)"));
        if (errno == ENOSPC) {
            fixes.add("raise user.max_user_namespaces where kiln runs (the sandbox or container around "
                    + "kiln lowered it; e.g. do not pass --disable-userns to bwrap)");
        }
        if (fixes.isEmpty() && inContainer() && (errno == EPERM || errno == 0)) {
            fixes.add("the container's seccomp or AppArmor profile blocks user namespaces: start it with "
                    + "--security-opt seccomp=unconfined --security-opt apparmor=unconfined (podman, docker) or, "
                    + "in Kubernetes, securityContext.seccompProfile.type: Unconfined and "
                    + "appArmorProfile.type: Unconfined");
        }
        if (fixes.isEmpty()) {
            fixes.add("enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0)");
        }
        return withRootAlternative(fixes);
    }

    /**
     * What to change when a user namespace is created but grants no capabilities (mounting in it
     * fails with EPERM): what Ubuntu 24.04's AppArmor does to unprivileged user namespaces, or a
     * container's seccomp or AppArmor profile that blocks mount.
     */
    static String noCapabilitiesFix() {
        List<String> fixes = new ArrayList<>();
        fixes.add("on Ubuntu 24.04 and GitHub's ubuntu-24.04 runners, AppArmor does this: load an AppArmor profile "
                + "that allows userns for java (docs/environments.md) or run "
                + "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 as root");
        if (inContainer()) {
            fixes.add("in a container, its seccomp or AppArmor profile blocks mount: start it with "
                    + "--security-opt seccomp=unconfined --security-opt apparmor=unconfined");
        }
        return withRootAlternative(fixes);
    }

    private static String withRootAlternative(List<String> fixes) {
        if (Syscalls.geteuid() != 0 && !inside()) {
            fixes.add("or run kiln as root (chroot isolation needs no namespaces)");
        }
        return String.join("; ", fixes);
    }

    private static boolean inside() {
        return System.getenv(Userns.MARKER) != null;
    }
}
