package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.layer.OverlayMarkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime as an unprivileged user with a subordinate id range ({@code KILN_IT_USER}):
 * kiln re-executes itself in a user namespace, then runs busybox in overlay containers.
 */
class SandboxIT {
    private static BusyboxContainers busybox;

    @BeforeAll
    static void setUp() throws IOException {
        busybox = BusyboxContainers.forUser("KILN_IT_USER");
    }

    @AfterAll
    static void tearDown() {
        if (busybox != null) {
            busybox.delete();
        }
    }

    private static RootlessHarness.Result run(List<String> opts, String... argv) throws IOException {
        return busybox.run(opts, argv);
    }

    @Test
    void run_echo_printsHello() throws IOException {
        RootlessHarness.Result r = run(List.of(), "echo", "hello");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("hello\n");
    }

    @Test
    void run_exit42_propagatesExitCode() throws IOException {
        RootlessHarness.Result r = run(List.of(), "sh", "-c", "exit 42");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(42);
    }

    @Test
    void run_idByDefault_isRootInside() throws IOException {
        RootlessHarness.Result r = run(List.of(), "id", "-u");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("0\n");
    }

    @Test
    void run_asUser1000_isUid1000() throws IOException {
        RootlessHarness.Result r = run(List.of("--user", "1000:1000"), "sh", "-c", "id -u; id -g");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("1000\n1000\n");
    }

    @Test
    void run_envAndWorkDir_areApplied() throws IOException {
        RootlessHarness.Result r = run(List.of("--env", "GREETING=hi there", "--cwd", "/work/dir"),
                "sh", "-c", "echo \"$GREETING\"; pwd; echo $PATH; echo $HOME");
        assertThat(r.stdout()).as(r.toString()).isEqualTo(
                "hi there\n/work/dir\n" + ExecSpec.DEFAULT_PATH + "\n/root\n");
    }

    @Test
    void run_pidNamespace_processIsPid1WithHostnameAndProc() throws IOException {
        RootlessHarness.Result r = run(List.of(), "sh", "-c",
                "echo $$; hostname; cat /etc/hostname; test -c /dev/null && echo devnull; "
                        + "ls /proc/1/ >/dev/null && echo proc");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("1\nkiln\nkiln\ndevnull\nproc\n");
    }

    @Test
    void run_throwawayUpper_changesGoneAndLowerUnchanged() throws IOException {
        List<String> before = listing(busybox.lower());
        RootlessHarness.Result first = run(List.of(), "sh", "-c",
                "echo data > /tmp/written; rm /bin/ls; mkdir -p /new/dir; test -e /tmp/written");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        RootlessHarness.Result second = run(List.of(), "sh", "-c",
                "test ! -e /tmp/written && test ! -e /new && test -e /bin/ls && echo clean");
        assertThat(second.stdout()).as(second.toString()).isEqualTo("clean\n");
        assertThat(listing(busybox.lower())).isEqualTo(before);
    }

    @Test
    void run_networkNone_hasOnlyLoopback() throws IOException {
        RootlessHarness.Result r = run(List.of("--net", "none"), "sh", "-c",
                "ip -o link | cut -d: -f2 | tr -d ' '; ip -o addr show lo | grep -c 127.0.0.1");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("lo\n1\n");
    }

    @Test
    void stop_processIgnoringSigterm_isKilledAfterTimeout() throws IOException {
        RootlessHarness.Result r = run(List.of("--stop-after", "1000"), "sh", "-c",
                "trap '' TERM; sleep 60");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(137);
        assertThat(r.stderr()).contains("signal=9");
    }

    @Test
    void run_chown33_keepsUid33InsideWithSubuidRange() throws IOException {
        RootlessHarness.Result r = run(List.of(), "sh", "-c",
                "touch /tmp/f && chown 33:33 /tmp/f && stat -c %u:%g /tmp/f");
        assertThat(r.stdout()).as(r.toString()).isEqualTo("33:33\n");
    }

    @Test
    void run_extraMounts_bindReadOnlyAndReadWrite_tmpfs_noneInTheUpperDir() throws IOException {
        Path ro = busybox.hostDir("mount-ro");
        Files.writeString(ro.resolve("hello"), "from the host\n");
        Path rw = busybox.hostDir("mount-rw");
        Path file = busybox.hostDir("mount-file").resolve("passwd");
        Files.writeString(file, "bound:x:7:7::/:/bin/sh\n");
        busybox.hostDir("mount-ro");
        busybox.hostDir("mount-file");
        RootlessHarness.Result r = run(List.of("--bind", ro + ":/mnt/ro:ro", "--bind", rw + ":/mnt/rw",
                "--bind", file + ":/etc/passwd:ro", "--tmpfs", "/mnt/t:size=1m"), "sh", "-c",
                "cat /mnt/ro/hello; touch /mnt/ro/x 2>/dev/null || echo ro-refused; echo out > /mnt/rw/written; "
                        + "head -c 8 /etc/passwd; echo; grep -c ' /mnt/t tmpfs ' /proc/mounts; "
                        + "echo gone > /mnt/t/scratch; head -c 2000000 /dev/zero > /mnt/t/big 2>/dev/null "
                        + "|| echo tmpfs-full");
        assertThat(r.stdout()).as(r.toString())
                .isEqualTo("from the host\nro-refused\nbound:x:\n1\ntmpfs-full\n");
        assertThat(rw.resolve("written")).hasContent("out");
        assertThat(ro.resolve("x")).doesNotExist();
        Path upper = busybox.lastUpper();
        assertThat(upper.resolve("mnt/t")).as("the tmpfs mount point is an empty directory").isEmptyDirectory();
        assertThat(upper.resolve("mnt/rw")).isEmptyDirectory();
        assertThat(upper.resolve("etc/passwd")).as("a file mount over an image file does not copy it up")
                .doesNotExist();
    }

    @Test
    void run_missingCommand_reportsNotFoundInPath() throws IOException {
        RootlessHarness.Result r = run(List.of(), "no-such-command");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(99);
        assertThat(r.stderr()).contains("exec: \"no-such-command\": executable file not found in $PATH");
    }

    @Test
    void stress_500RunsWhileAllocating_allSucceed() throws IOException {
        RootlessHarness.Result r = run(List.of("--repeat", "500", "--allocate"), "true");
        System.out.println("stress (500 runs, main JVM allocating on 2 threads): " + r.stderr().trim());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).contains("failures=0");
    }

    /** Issue 11 finding 1, rootless: the held host-root descriptor is closed before the chdir. */
    @Test
    void workdirThroughAHeldDescriptor_cannotReachTheHost() throws Exception {
        Path dir = busybox.hostDir("secret");
        Path secret = Files.writeString(dir.resolve("host-secret"), "host secret\n");
        busybox.hostDir("secret"); // re-owned by the user
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path planted = dir.resolve("planted");
        RootlessHarness.Result r = run(List.of("--cwd", "/proc/self/fd/999"), "sh", "-c",
                "cat " + secret.toString().substring(1) + "; echo pwned > " + planted.toString().substring(1));
        assertThat(r.stdout() + r.stderr()).doesNotContain("host secret");
        assertThat(planted).doesNotExist();
        RootlessHarness.Result inside = run(List.of("--cwd", "/tmp/../../tmp/w"), "pwd");
        assertThat(inside.stdout()).as(inside.toString()).isEqualTo("/tmp/w\n");
    }

    /**
     * In a container whose /proc has masked paths (a read-only tmpfs over /proc/acpi here, as
     * Docker and podman mask /proc/acpi, /proc/kcore, ...), the kernel refuses a fresh proc to a
     * user namespace (EPERM: "container setup failed: mount /proc"). The runtime binds kiln's own
     * /proc instead, masks included.
     */
    @Test
    void run_procWithMaskedPaths_bindsTheExistingProc() throws Exception {
        List<String> masked = List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o ro tmpfs /proc/acpi && exec \"$0\" \"$@\"");
        RootlessHarness.Result r = busybox.runAfter(masked, List.of(), "sh", "-c",
                "echo $$; test -r /proc/self/status && echo proc; ls /proc/acpi | wc -l");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("1\nproc\n0\n");
    }

    @Test
    void matrix_overlayUpperDir_keepsCreationOwnerDeletionAndUser() throws Exception {
        matrix(List.of(), "overlay=true");
    }

    @Test
    void matrix_copiedRootAndTreeWalk_keepsCreationOwnerDeletionAndUser() throws Exception {
        matrix(List.of("--no-overlay"), "overlay=false");
    }

    /**
     * The matrix Dockerfile's RUNs as the user: a created file, {@code chown 1000:1000}, a deleted
     * base file (a whiteout in the upper dir), and {@code id} as uid 1000. Owners on the host are
     * the user's subordinate ids (inside id N ≥ 1 is SUBUID + N - 1).
     */
    private static void matrix(List<String> opts, String path) throws Exception {
        RootlessHarness.Result r = run(opts, "sh", "-c",
                "echo hello > /created && touch /owned && chown 1000:1000 /owned && rm /etc/group");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).contains(path);
        Path upper = busybox.lastUpper();
        long subuid = subordinateStart(System.getenv("KILN_IT_USER"));
        assertThat(Files.readString(upper.resolve("created"))).isEqualTo("hello\n");
        assertThat(((Number) Files.getAttribute(upper.resolve("owned"), "unix:uid")).longValue())
                .isEqualTo(subuid + 999);
        assertThat(OverlayMarkers.isWhiteout(upper.resolve("etc/group"))).isTrue();
        assertThat(upper.resolveSibling("upper.rootfs")).doesNotExist();
        RootlessHarness.Result id = run(concat(opts, "--user", "1000:1000"), "sh", "-c", "id > /tmp/out");
        assertThat(id.exitCode()).as(id.toString()).isZero();
        assertThat(Files.readString(busybox.lastUpper().resolve("tmp/out"))).startsWith("uid=1000 gid=1000");
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    private static long subordinateStart(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/subuid"))) {
            String[] f = line.split(":");
            if (f.length == 3 && f[0].equals(user)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new IllegalStateException("no /etc/subuid range for " + user);
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p) + " " + p.toFile().length()).sorted().toList();
        }
    }
}
