package dev.kiln.runtime;

import dev.kiln.runtime.linux.ChildProgram;
import dev.kiln.runtime.linux.SeccompFilter;
import dev.kiln.runtime.linux.SeccompFilter.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a container process may do beyond what its namespaces give it, at least as little as
 * Docker's default allows: Docker's capability set (less what this isolation cannot contain),
 * {@code no_new_privs}, a seccomp filter refusing Docker's deny-list essentials, and runc's masked
 * and read-only {@code /proc} paths. Built once per sandbox; {@link ContainerSetup} applies it in
 * the child: the {@code /proc} masks right after mounting {@code /proc}, the capabilities before
 * the change of user, no_new_privs and seccomp last before {@code execve}.
 *
 * <p>Dropping CAP_SYS_ADMIN is what keeps read-only mounts read-only (issue 11 finding 4): the
 * container is root over its own mount namespace, and with it could remount, unmount or
 * {@code mount_setattr} its binds; without it, and with mount calls refused by seccomp, it cannot.
 *
 * <p>Seccomp filters stack and the kernel runs all of them, the strictest answer winning
 * (KILL, then ERRNO, then USER_NOTIF, then ALLOW). This filter is installed last, after any
 * filter the runtime installs earlier for its own bookkeeping (a user-notification filter for
 * chown): calls it denies fail with EPERM whatever an earlier filter says, and calls it allows are
 * left to that filter.
 */
final class Confinement {
    /** Capabilities by number, as capabilities(7) lists them. */
    enum Capability {
        CHOWN(0), DAC_OVERRIDE(1), FOWNER(3), FSETID(4), KILL(5), SETGID(6), SETUID(7), SETPCAP(8),
        NET_BIND_SERVICE(10), NET_RAW(13), SYS_CHROOT(18), MKNOD(27), AUDIT_WRITE(29), SETFCAP(31);

        final int number;

        Capability(int number) {
            this.number = number;
        }
    }

    /** Docker's default set (moby oci/caps/defaults.go). */
    static final Set<Capability> DOCKER_DEFAULT = EnumSet.allOf(Capability.class);

    /** clone(2)/unshare(2) flags that make namespaces (CLONE_NEWNS … CLONE_NEWNET, CLONE_NEWCGROUP). */
    static final long NAMESPACE_FLAGS = 0x7E020000L;
    /** unshare(2) also takes CLONE_NEWTIME. */
    static final long CLONE_NEWTIME = 0x80L;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;

    /** runc's masked paths that exist on a {@code /proc} (kiln mounts no {@code /sys}). */
    static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
            "/proc/sched_debug", "/proc/scsi");
    /** runc's read-only {@code /proc} paths. */
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    private final Isolation isolation;
    private final boolean realRoot;
    private final byte[] seccomp;
    /** Of {@link #MASKED} and {@link #READ_ONLY}, what this kernel's /proc has. */
    private final List<String> maskedDirs;
    private final List<String> maskedFiles;
    private final List<String> readOnly;

    private Confinement(Isolation isolation, boolean realRoot, byte[] seccomp) {
        this.isolation = isolation;
        this.realRoot = realRoot;
        this.seccomp = seccomp;
        this.maskedDirs = MASKED.stream().filter(p -> Files.isDirectory(Path.of(p))).toList();
        this.maskedFiles = MASKED.stream()
                .filter(p -> Files.exists(Path.of(p)) && !Files.isDirectory(Path.of(p))).toList();
        this.readOnly = READ_ONLY.stream().filter(p -> Files.exists(Path.of(p))).toList();
    }

    /**
     * The confinement of containers under {@code isolation} when kiln runs in {@code mapping}
     * (the initial one: kiln is real root, and the container's capabilities are the host's).
     */
    static Confinement of(Isolation isolation, IdMapping mapping) {
        return new Confinement(isolation, mapping.isInitial(),
                SeccompFilter.compile(rules(isolation)));
    }

    /** The deny list: Docker's default profile's essentials. */
    static List<Rule> rules(Isolation isolation) {
        List<Rule> rules = new ArrayList<>();
        for (String call : List.of(
                // kernel keyrings and BPF are not namespaced
                "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
                // the kernel itself
                "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                "create_module", "get_kernel_syms", "query_module", "reboot", "swapon", "swapoff",
                "acct", "syslog", "lookup_dcookie", "quotactl", "quotactl_fd", "nfsservctl",
                "uselib", "iopl", "ioperm", "vhangup", "_sysctl", "fanotify_init",
                "settimeofday", "stime", "clock_settime", "clock_adjtime", "adjtimex",
                // file handles reach files outside the root ("shocker")
                "open_by_handle_at",
                // mounts: the container's read-only mounts stay read-only and in place
                "mount", "umount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen",
                "fsconfig", "fsmount", "fspick", "mount_setattr", "setns",
                // kernel attack surface Docker also refuses
                "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register")) {
            rules.add(new Rule(call, 0, EPERM));
        }
        rules.add(new Rule("clone", NAMESPACE_FLAGS, EPERM));
        rules.add(new Rule("unshare", NAMESPACE_FLAGS | CLONE_NEWTIME, EPERM));
        // clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes libc use clone
        rules.add(new Rule("clone3", 0, ENOSYS));
        if (isolation == Isolation.CHROOT) {
            // no pid namespace: the host's processes are in reach
            for (String call : List.of("ptrace", "process_vm_readv", "process_vm_writev", "kcmp")) {
                rules.add(new Rule(call, 0, EPERM));
            }
        }
        return rules;
    }

    /**
     * The capabilities a root process in {@code spec}'s container keeps. Docker's set, less
     * NET_RAW when real root shares the host's network (raw sockets would read and forge the
     * host's traffic; Docker gives a container its own network), and under chroot isolation less
     * SYS_CHROOT (a second chroot escapes the first) and MKNOD (no mount can be made nodev there,
     * so a device node it made would open).
     */
    Set<Capability> capabilities(ExecSpec spec) {
        Set<Capability> caps = EnumSet.copyOf(DOCKER_DEFAULT);
        boolean hostNetwork = isolation == Isolation.CHROOT || spec.network() == Network.HOST;
        if (realRoot && hostNetwork) {
            caps.remove(Capability.NET_RAW);
        }
        if (isolation == Isolation.CHROOT) {
            caps.remove(Capability.SYS_CHROOT);
            caps.remove(Capability.MKNOD);
        }
        return caps;
    }

    static long mask(Set<Capability> caps) {
        long mask = 0;
        for (Capability c : caps) {
            mask |= 1L << c.number;
        }
        return mask;
    }

    /**
     * Masks and makes read-only the {@code /proc} paths runc does, in a container whose
     * {@code /proc} was just mounted; {@code devNull} is a path to the host's {@code /dev/null}.
     * Paths this kernel lacks (as kiln's own /proc shows it) are skipped.
     */
    void maskProc(ChildProgram p, String devNull) {
        for (String path : maskedDirs) {
            p.mountIfPresent("tmpfs", path, "tmpfs", ChildProgram.MS_RDONLY
                    | ChildProgram.MS_NOSUID | ChildProgram.MS_NODEV | ChildProgram.MS_NOEXEC,
                    null, "mask " + path);
        }
        for (String path : maskedFiles) {
            p.mountIfPresent(devNull, path, null, ChildProgram.MS_BIND, null, "mask " + path);
        }
        for (String path : readOnly) {
            p.mountIfPresent(path, path, null, ChildProgram.MS_BIND | ChildProgram.MS_REC, null,
                    "bind " + path + " for read-only");
            p.mountAttributesIfPresent(path, ChildProgram.MOUNT_ATTR_RDONLY
                    | ChildProgram.MOUNT_ATTR_NOSUID | ChildProgram.MOUNT_ATTR_NODEV,
                    "make " + path + " read-only");
        }
    }

    /**
     * Limits the capabilities to {@link #capabilities}: the bounding set (so no execve gets more),
     * then effective and permitted (a later change to a non-root user empties both), inheritable
     * and ambient emptied. Comes while the child is still root, before setgroups/setgid/setuid.
     */
    void dropCapabilities(ChildProgram p, ExecSpec spec) {
        long keep = mask(capabilities(spec));
        p.dropBoundingCapabilities(keep);
        p.setCapabilities(keep, keep, 0);
        p.clearAmbientCapabilities();
    }

    /** no_new_privs and the seccomp filter: the last steps before execve. */
    void lockDown(ChildProgram p) {
        p.noNewPrivileges();
        p.seccompFilter(seccomp, "install the seccomp filter");
    }
}
