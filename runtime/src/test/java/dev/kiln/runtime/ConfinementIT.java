package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11 findings 3 and 4 rootless, as {@code KILN_IT_USER} in kiln's user namespace: there
 * the container is root over its own mount namespace, and before the fix remounted its read-only
 * binds read-write and wrote through them. {@link ConfinementAsRootTest} is the root side.
 */
class ConfinementIT {
    @RegisterExtension
    static final BusyboxContainers BUSYBOX = BusyboxContainers.forUser("KILN_IT_USER");
    private static Path shared;

    @BeforeAll
    static void setUp() throws IOException {
        Path lower = BUSYBOX.lower();
        SyscallProbe.installInto(lower);
        Files.createDirectories(lower.resolve("data"));
        Files.writeString(lower.resolve("data/underneath"), "hidden by the mount\n");
        shared = BUSYBOX.hostDir("shared");
        Files.writeString(shared.resolve("in.txt"), "host data\n");
        BUSYBOX.hostDir("shared"); // re-owned by the user, with in.txt
    }

    /**
     * Finding 4, rootless: a read-only bind ({@code RUN --mount} bind, secret, {@code kiln run -v
     * …:ro}) was remounted read-write and written through, unmounted to show what was under it,
     * and unlocked with mount_setattr. Seen to fail on the old code: all three succeeded and
     * {@code pwned} appeared in the host directory.
     */
    @Test
    void readOnlyBind_cannotBeRemountedUnmountedOrUnlocked() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of("--bind", shared + ":/data:ro"), "sh", "-c",
                "mount -o remount,rw,bind /data && echo remounted; echo pwned > /data/pwned; "
                        + "syscall-probe remount_rw:/data mount_setattr:/data write:/data/pwned2 umount:/data; "
                        + "cat /data/underneath");
        Map<String, String> probe = SyscallProbe.parse(r.stdout());
        assertThat(r.stdout()).as(r.toString()).doesNotContain("remounted").doesNotContain("hidden by the mount");
        assertThat(probe).as(r.toString()).containsEntry("remount_rw:/data", "EPERM")
                .containsEntry("mount_setattr:/data", "EPERM").containsEntry("write:/data/pwned2", "EROFS")
                .containsEntry("umount:/data", "EPERM");
        try (var files = Files.list(shared)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("in.txt");
        }
    }

    /** Finding 3, rootless: Docker's capabilities (NET_RAW is harmless here), no_new_privs, seccomp. */
    @Test
    void status_showsDockersCapabilitiesNoNewPrivsAndSeccomp() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of(), "grep", "-E",
                "^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):", "/proc/self/status");
        assertThat(r.stdout().replace("\t", " ")).as(r.toString()).contains(
                "CapEff: " + ConfinementAsRootTest.DOCKER_CAPS,
                "CapBnd: " + ConfinementAsRootTest.DOCKER_CAPS, "CapInh: 0000000000000000",
                "CapAmb: 0000000000000000", "NoNewPrivs: 1", "Seccomp: 2");
    }

    @Test
    void forbiddenCalls_failWithEperm_andProcIsReadOnly() throws IOException {
        List<String> argv = new ArrayList<>(List.of("syscall-probe"));
        argv.addAll(ConfinementAsRootTest.FORBIDDEN);
        argv.addAll(List.of("clone_plain", "chown", "read:/proc/keys", "write:/proc/sys/kernel/hostname"));
        RootlessHarness.Result r = BUSYBOX.run(List.of(), argv.toArray(String[]::new));
        Map<String, String> probe = SyscallProbe.parse(r.stdout());
        for (String call : ConfinementAsRootTest.FORBIDDEN) {
            assertThat(probe.get(call)).as(call + "\n" + r).isIn("EPERM", "ENOSYS");
        }
        assertThat(probe).as(r.toString()).containsEntry("clone_plain", "ok").containsEntry("chown", "ok")
                .containsEntry("write:/proc/sys/kernel/hostname", "EROFS");
        assertThat(probe.get("read:/proc/keys")).as(r.toString()).isNotEqualTo("ok");
    }
}
