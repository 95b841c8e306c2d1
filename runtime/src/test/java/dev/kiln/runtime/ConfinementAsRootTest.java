package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 findings 3 and 4 as real root (how CI runs the unit tests), in both isolations: a
 * container must not undo its read-only mounts (remount, umount to reveal, mount_setattr) and must
 * be at least as confined as Docker's default (capabilities, no_new_privs, seccomp, masked and
 * read-only {@code /proc} paths, no usable device nodes of its own making). The rootless side is
 * {@link ConfinementIT}.
 */
class ConfinementAsRootTest {
    /** Docker's default capability set, as /proc/PID/status prints it. */
    static final String DOCKER_CAPS = "00000000a80425fb";
    /** Without NET_RAW: the container shares the host's network namespace as real root. */
    static final String ROOT_HOST_NETWORK_CAPS = "00000000a80405fb";
    /** Chroot isolation: also without SYS_CHROOT (a chroot is escaped with it) and MKNOD. */
    static final String CHROOT_CAPS = "00000000a00005fb";
    static final List<String> FORBIDDEN = List.of("keyctl", "add_key", "bpf", "perf_event_open",
            "unshare_user", "unshare_mnt", "clone_newuser", "setns", "open_by_handle_at",
            "userfaultfd", "mount_tmpfs");

    private static Sandbox namespaced;
    private static Sandbox chroot;
    private static Path lower;
    @TempDir static Path tmp;

    @BeforeAll
    static void open() throws IOException {
        lower = SandboxAsRootTest.busybox(tmp.resolve("busybox"), "ConfinementIT");
        for (String applet : List.of("grep", "umount", "mkdir", "stat", "chmod", "ln", "mknod")) {
            Files.createSymbolicLink(lower.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(lower.resolve("data"));
        Files.writeString(lower.resolve("data/underneath"), "hidden by the mount\n");
        SyscallProbe.installInto(lower);
        namespaced = Sandbox.open(Isolation.AUTO);
        chroot = Sandbox.open(Isolation.CHROOT);
    }

    @AfterAll
    static void close() {
        if (namespaced != null) {
            namespaced.close();
        }
        if (chroot != null) {
            chroot.close();
        }
    }

    private static int counter;

    private static ExecSpec spec(String script) throws IOException {
        Path scratch = Files.createDirectories(tmp.resolve("run" + (++counter)));
        return ExecSpec.of(RootFs.overlay(List.of(lower), scratch.resolve("upper"), scratch.resolve("work")),
                List.of("sh", "-c", script)).withStdio(Stdio.NULL, Stdio.PIPE, Stdio.PIPE);
    }

    private static String run(Sandbox sandbox, ExecSpec spec) throws Exception {
        Execution e = sandbox.start(spec);
        String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(e.stderr().readAllBytes(), StandardCharsets.UTF_8);
        e.waitFor();
        return out + err;
    }

    /**
     * Finding 4: {@code mount -o remount,rw,bind} on a read-only bind (a {@code RUN --mount} bind,
     * a secret file, {@code kiln run -v …:ro}) succeeded and the container wrote to the host. Seen
     * to fail on the old code: the remount worked and {@code /data/pwned} appeared on the host.
     */
    @Test
    void readOnlyBinds_cannotBeRemountedUnmountedOrUnlocked() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.writeString(shared.resolve("in.txt"), "host data\n");
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        String out = run(namespaced, spec("mount -o remount,rw,bind /data && echo remounted; "
                + "mount -o remount,rw,bind /run/secrets/tok && echo remounted-secret; "
                + "echo pwned > /data/pwned; echo pwned > /run/secrets/tok; "
                + "syscall-probe remount_rw:/data mount_setattr:/data mount_setattr:/run/secrets/tok "
                + "write:/data/pwned2 umount:/data umount:/run/secrets/tok; cat /data/underneath")
                .withMounts(List.of(Mount.bind(shared, "/data", true),
                        Mount.bind(secret, "/run/secrets/tok", true))));
        Map<String, String> probe = SyscallProbe.parse(out);
        assertThat(out).doesNotContain("remounted").doesNotContain("hidden by the mount");
        assertThat(probe).containsEntry("remount_rw:/data", "EPERM")
                .containsEntry("mount_setattr:/data", "EPERM")
                .containsEntry("mount_setattr:/run/secrets/tok", "EPERM")
                .containsEntry("write:/data/pwned2", "EROFS")
                .containsEntry("umount:/data", "EPERM")
                .containsEntry("umount:/run/secrets/tok", "EPERM");
        try (var files = Files.list(shared)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("in.txt");
        }
        assertThat(Files.readString(secret)).isEqualTo("s3cret\n");
    }

    /** Finding 3: as real root a RUN kept every capability, no no_new_privs and no seccomp. */
    @Test
    void status_showsDockersCapabilitiesNoNewPrivsAndSeccomp() throws Exception {
        assertThat(statusOf(namespaced)).containsEntry("CapEff", ROOT_HOST_NETWORK_CAPS)
                .containsEntry("CapPrm", ROOT_HOST_NETWORK_CAPS)
                .containsEntry("CapBnd", ROOT_HOST_NETWORK_CAPS).containsEntry("CapInh", "0000000000000000")
                .containsEntry("CapAmb", "0000000000000000")
                .containsEntry("NoNewPrivs", "1").containsEntry("Seccomp", "2");
        assertThat(statusOf(chroot)).containsEntry("CapEff", CHROOT_CAPS).containsEntry("CapBnd", CHROOT_CAPS)
                .containsEntry("NoNewPrivs", "1").containsEntry("Seccomp", "2");
    }

    @Test
    void status_withItsOwnNetwork_keepsNetRaw() throws Exception {
        ExecSpec spec = spec("read line").withNetwork(Network.NONE).withStdio(Stdio.PIPE, Stdio.NULL, Stdio.NULL);
        assertThat(statusOf(namespaced, spec)).containsEntry("CapEff", DOCKER_CAPS);
    }

    @Test
    void status_asAnotherUser_hasNoCapabilities() throws Exception {
        ExecSpec spec = spec("read line").withUser(User.of(1000, 1000)).withStdio(Stdio.PIPE, Stdio.NULL, Stdio.NULL);
        assertThat(statusOf(namespaced, spec)).containsEntry("CapEff", "0000000000000000")
                .containsEntry("CapPrm", "0000000000000000").containsEntry("CapBnd", ROOT_HOST_NETWORK_CAPS)
                .containsEntry("NoNewPrivs", "1");
    }

    private static Map<String, String> statusOf(Sandbox sandbox) throws Exception {
        return statusOf(sandbox, spec("read line").withStdio(Stdio.PIPE, Stdio.NULL, Stdio.NULL));
    }

    /** /proc/PID/status of the container's process, read from the host while it waits on stdin. */
    private static Map<String, String> statusOf(Sandbox sandbox, ExecSpec spec) throws Exception {
        Execution e = sandbox.start(spec);
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(e.pid()), "status"))) {
                int colon = line.indexOf(':');
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        } finally {
            try (OutputStream in = e.stdin()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            e.waitFor();
        }
        return fields;
    }

    /** Finding 3: keyctl, bpf, namespaces, mount and the rest of Docker's deny list. */
    @Test
    void forbiddenCalls_failWithEperm_inBothIsolations() throws Exception {
        for (Sandbox sandbox : List.of(namespaced, chroot)) {
            List<String> argv = new ArrayList<>(List.of("syscall-probe"));
            argv.addAll(FORBIDDEN);
            argv.addAll(List.of("clone_plain", "unshare_files", "chown"));
            Map<String, String> probe = SyscallProbe.parse(run(sandbox, spec(String.join(" ", argv))));
            for (String call : FORBIDDEN) {
                assertThat(probe).as(sandbox.isolation() + " " + call).containsKey(call);
                assertThat(probe.get(call)).as(sandbox.isolation() + " " + call).isIn("EPERM", "ENOSYS");
            }
            assertThat(probe).as(sandbox.isolation().toString()).containsEntry("clone_plain", "ok")
                    .containsEntry("unshare_files", "ok").containsEntry("chown", "ok");
        }
    }

    /**
     * Finding 3: /proc/sys and /proc/sysrq-trigger were writable (as real root: every sysctl that
     * is not per namespace, e.g. kernel.core_pattern, is the host's) and /proc/keys and
     * /proc/timer_list readable. Seen to fail on the old code: the RUN wrote
     * /proc/sys/kernel/hostname (its own UTS namespace's, the one sysctl safe to try).
     */
    @Test
    void procPaths_areMaskedOrReadOnly() throws Exception {
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        String out = run(namespaced, spec("echo kiln-pwned > /proc/sys/kernel/hostname && echo wrote-hostname; "
                + "echo h > /proc/sysrq-trigger && echo wrote-sysrq; "
                + "syscall-probe read:/proc/kcore read:/proc/keys read:/proc/timer_list read:/proc/self/status"));
        assertThat(out).doesNotContain("wrote-hostname").doesNotContain("wrote-sysrq");
        Map<String, String> probe = SyscallProbe.parse(out);
        assertThat(probe.get("read:/proc/kcore")).isNotEqualTo("ok");
        assertThat(probe.get("read:/proc/keys")).isNotEqualTo("ok");
        assertThat(probe.get("read:/proc/timer_list")).isNotEqualTo("ok");
        assertThat(probe).containsEntry("read:/proc/self/status", "ok");
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(hostname);
    }

    /**
     * Finding 3: as real root with CAP_MKNOD a RUN made a device node and opened it (here the
     * harmless {@code /dev/zero}, 1:5; a disk's numbers give the host's raw disk). Device nodes of
     * the container's own making must not open; chroot isolation cannot make them at all.
     */
    @Test
    void deviceNodesTheContainerMakes_cannotBeOpened() throws Exception {
        Map<String, String> probe = SyscallProbe.parse(run(namespaced,
                spec("syscall-probe mknod_zero read:/tmp/kiln-probe-zero read:/dev/zero")));
        assertThat(probe).containsEntry("mknod_zero", "ok").containsEntry("read:/dev/zero", "ok");
        assertThat(probe.get("read:/tmp/kiln-probe-zero")).isEqualTo("EACCES");
        Map<String, String> chrooted = SyscallProbe.parse(run(chroot,
                spec("syscall-probe mknod_zero read:/tmp/kiln-probe-zero")));
        assertThat(chrooted).containsEntry("mknod_zero", "EPERM");
    }

    /** What a build's RUN as root does (apt, package scripts) keeps working. */
    @Test
    void ordinaryRootWork_stillWorks() throws Exception {
        for (Sandbox sandbox : List.of(namespaced, chroot)) {
            String out = run(sandbox, spec("mkdir -p /var/lib/app && touch /var/lib/app/f "
                    + "&& chown 1000:1000 /var/lib/app/f && chmod 4755 /var/lib/app/f "
                    + "&& ln -s f /var/lib/app/l && chown -h 1000:1000 /var/lib/app/l "
                    + "&& stat -c '%u:%g %a' /var/lib/app/f && rm /var/lib/app/f && echo done"));
            assertThat(out).as(sandbox.isolation().toString()).isEqualTo("1000:1000 4755\ndone\n");
        }
    }
}
