package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox in this JVM, as real root (how CI runs the unit tests): stdio pipes and files, extra
 * mounts, chroot isolation. The rootless paths are covered by {@link SandboxIT}.
 */
class SandboxAsRootTest {
    private static Sandbox sandbox;
    private static Path lower;
    @TempDir static Path tmp;

    @BeforeAll
    static void open() throws IOException {
        lower = busybox(tmp.resolve("busybox"), "SandboxIT");
        sandbox = Sandbox.open(Isolation.AUTO);
    }

    @AfterAll
    static void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /**
     * A busybox root filesystem at {@code root} for tests in this JVM as real root; skips, saying
     * so, unless the tests run as root with /bin/busybox ({@code rootless}: the IT for the rest).
     */
    static Path busybox(Path root, String rootless) throws IOException {
        assumeTrue(Syscalls.geteuid() == 0, "needs root (CI runs tests as root); rootless is " + rootless);
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox missing (busybox-static)");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "cat", "id", "ls", "touch", "true", "mount", "chown", "rm")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        return root;
    }

    /**
     * The matrix Dockerfile's RUNs (a created file, {@code chown 1000:1000}, a deleted base file,
     * {@code id} as user 1000) in {@code sandbox}, each step's upper dir a lower dir of the next;
     * checks what each upper dir holds.
     */
    private void matrix(Sandbox sandbox, String name, RootChanges expected) throws Exception {
        Path scratch = Files.createDirectories(tmp.resolve(name));
        Path upper1 = scratch.resolve("upper1");
        ExecResult first = sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower), upper1, scratch.resolve("work1")),
                List.of("sh", "-c", "echo hello > /created && touch /owned && chown 1000:1000 /owned && rm /etc/group")));
        assertThat(first.exitCode()).isZero();
        assertThat(first.changes()).isEqualTo(expected);
        Path upper2 = scratch.resolve("upper2");
        ExecResult second = sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower, upper1), upper2,
                        scratch.resolve("work2")), List.of("sh", "-c", "id > /tmp/out"))
                .withUser(User.of(1000, 1000)));
        assertThat(second.exitCode()).isZero();

        assertThat(Files.readString(upper1.resolve("created"))).isEqualTo("hello\n");
        assertThat(Files.getAttribute(upper1.resolve("owned"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(upper1.resolve("owned"), "unix:gid")).isEqualTo(1000);
        assertThat(OverlayMarkers.isWhiteout(upper1.resolve("etc/group"))).isTrue();
        assertThat(Files.readString(upper2.resolve("tmp/out"))).startsWith("uid=1000 gid=1000");
        assertThat(Files.getAttribute(upper2.resolve("tmp/out"), "unix:uid")).isEqualTo(1000);
        assertThat(upper1.resolveSibling("upper1.rootfs")).doesNotExist();
    }

    /**
     * Issue 11 finding 1: a workdir through a descriptor the runtime held (the host root, an O_PATH
     * fd 999 kept for leaving the chroot) gave the container the host's root: it read a 0600 host
     * file and wrote to the host. No descriptor of the outer world may be reachable at the chdir.
     */
    @Test
    void workdirThroughAHeldDescriptor_cannotReachTheHost() throws Exception {
        Path secret = Files.writeString(tmp.resolve("host-secret"), "host secret\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path planted = tmp.resolve("planted-by-container");
        String rel = secret.toString().substring(1);
        for (String workdir : List.of("/proc/self/fd/999", "/proc/self/fd/1000", "/proc/self/fd/990",
                "/proc/1/cwd", "/proc/self/root/proc/self/fd/999")) {
            ExecSpec spec = spec("leak" + Math.abs(workdir.hashCode()), "sh", "-c",
                    "cat " + rel + "; echo pwned > " + planted.toString().substring(1))
                    .withWorkDir(workdir).withStdio(Stdio.NULL, Stdio.PIPE, Stdio.NULL);
            String out;
            try {
                Execution e = sandbox.start(spec);
                out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
                e.waitFor();
            } catch (SandboxException refused) {
                out = refused.getMessage();
            }
            assertThat(out).as(workdir).doesNotContain("host secret");
            assertThat(planted).as(workdir).doesNotExist();
        }
    }

    @Test
    void matrix_userns_overlayUpperDir() throws Exception {
        assumeTrue(sandbox.isolation() == Isolation.USERNS && sandbox.overlaySupported(),
                "namespaces or overlay unavailable here: " + sandbox.isolation());
        matrix(sandbox, "matrix-overlay", RootChanges.OVERLAY);
    }

    /**
     * A run directory in {@code java.io.tmpdir} that a kiln killed with SIGKILL left (its lock file,
     * which nobody holds now, and its executions' files) is removed by the next sandbox, and a
     * sandbox removes its own at close. The old sandbox removed none it had not made itself.
     */
    @Test
    void runDir_aKilledKilnsIsRemovedByTheNextSandbox_itsOwnAtClose() throws Exception {
        assumeTrue(Syscalls.geteuid() == 0, "a sandbox in this JVM needs root (SandboxIT runs as a user)");
        Path killed = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), Sandbox.RUN_DIR_PREFIX);
        Files.createFile(killed.resolve(".lock"));
        Files.createDirectories(killed.resolve("1/merged"));
        Files.writeString(killed.resolve("1/hosts"), "127.0.0.1 localhost\n");
        Path own;
        try (Sandbox next = Sandbox.open(Isolation.AUTO)) {
            own = next.runDir();
            assertThat(killed).doesNotExist();
            assertThat(own).isDirectory();
            assertThat(sandbox.runDir()).as("the other sandbox of this JVM is alive").isDirectory();
        }
        assertThat(own).doesNotExist();
    }

    @Test
    void matrix_userns_copiedRootAndTreeWalk() throws Exception {
        try (Sandbox copying = Sandbox.open(SandboxOptions.of(Isolation.USERNS).withOverlay(false))) {
            assertThat(copying.overlaySupported()).isFalse();
            matrix(copying, "matrix-copy", RootChanges.TREE_DIFF);
        }
    }

    @Test
    void matrix_chroot_copiedRootAndTreeWalk() throws Exception {
        try (Sandbox chroot = Sandbox.open(Isolation.CHROOT)) {
            matrix(chroot, "matrix-chroot", RootChanges.TREE_DIFF);
        }
    }

    private ExecSpec spec(String name, String... argv) throws IOException {
        Path scratch = Files.createDirectories(tmp.resolve(name));
        return ExecSpec.of(RootFs.overlay(List.of(lower), scratch.resolve("upper"),
                scratch.resolve("work")), List.of(argv));
    }

    /** The options of the container's root mount, from its own mountinfo. */
    private String rootMountOptions(ExecSpec spec) throws Exception {
        Execution e = sandbox.start(spec.withStdio(Stdio.NULL, Stdio.PIPE, Stdio.INHERIT));
        String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(e.waitFor().exitCode()).as(out).isZero();
        return out;
    }

    @Test
    void volatileUpper_mountsVolatileWhereTheKernelHasIt_aKeptUpperNever() throws Exception {
        String[] argv = {"sh", "-c", "while read -r id parent dev root mnt rest; do "
                + "[ \"$mnt\" = / ] && echo \"$rest\"; done < /proc/self/mountinfo; true"};
        ExecSpec kept = spec("kept", argv);
        ExecSpec scratch = spec("scratch", argv);
        scratch = scratch.withRootfs(((RootFs.Overlay) scratch.rootfs()).withVolatileUpper());

        assertThat(rootMountOptions(kept)).contains("upperdir=").doesNotContain("volatile");
        String options = rootMountOptions(scratch);
        assertThat(options).contains("upperdir=");
        if (RootFs.volatileMountsHere()) {
            assertThat(options).contains("volatile"); // "fsync=volatile" since Linux 6.5
        } else {
            assertThat(options).doesNotContain("volatile");
        }
        assertThat(sandbox.run(scratch.withArgv(List.of("true"))).changes())
                .isEqualTo(RootFs.volatileMountsHere() ? RootChanges.VOLATILE_OVERLAY : RootChanges.OVERLAY);
    }

    @Test
    void volatileUpper_sameWorkDirAgain_mountsWithAFreshWorkDir() throws Exception {
        assumeTrue(RootFs.volatileMountsHere(), "overlay's volatile option needs Linux 5.10+");
        RootFs.Overlay root = ((RootFs.Overlay) spec("again", "true").rootfs()).withVolatileUpper();
        ExecSpec first = ExecSpec.of(root, List.of("sh", "-c", "echo one > /tmp/one"));
        assertThat(sandbox.run(first).exitCode()).isZero();
        assertThat(root.workDir().resolve("work/incompat/volatile")).as("the mark overlay leaves").exists();

        ExecSpec second = ExecSpec.of(root, List.of("sh", "-c", "cat /tmp/one > /tmp/two"));
        assertThat(sandbox.run(second).exitCode()).isZero();
        assertThat(root.upperDir().resolve("tmp/two")).hasContent("one");
        RootFs.syncUpper(root.upperDir());
    }

    @Test
    void pipes_stdoutAndStderr_areReadSeparately() throws Exception {
        Execution e = sandbox.start(spec("pipes", "sh", "-c", "echo out; echo err >&2; exit 3")
                .withStdio(Stdio.NULL, Stdio.PIPE, Stdio.PIPE));
        String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(e.stderr().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(e.waitFor().exitCode()).isEqualTo(3);
        assertThat(out).isEqualTo("out\n");
        assertThat(err).isEqualTo("err\n");
    }

    @Test
    void pipes_stdin_reachesTheProcess() throws Exception {
        Execution e = sandbox.start(spec("stdin", "cat")
                .withStdio(Stdio.PIPE, Stdio.PIPE, Stdio.INHERIT));
        try (OutputStream in = e.stdin()) {
            in.write("fed through stdin\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("fed through stdin\n");
        assertThat(e.waitFor().exitCode()).isZero();
    }

    @Test
    void fileStdout_appendsToHostFile() throws Exception {
        Path log = Files.writeString(tmp.resolve("log.txt"), "before\n");
        ExecResult r = sandbox.run(spec("file", "echo", "after")
                .withStdio(Stdio.NULL, Stdio.file(log, true), Stdio.NULL));
        assertThat(r.exitCode()).isZero();
        assertThat(Files.readString(log)).isEqualTo("before\nafter\n");
    }

    @Test
    void mounts_readOnlyBindAndTmpfs_behave() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.writeString(shared.resolve("in.txt"), "host data");
        ExecSpec spec = spec("mounts", "sh", "-c",
                "cat /data/in.txt; echo; touch /data/new 2>/dev/null || echo read-only; "
                        + "touch /scratch/x && echo tmpfs-ok")
                .withMounts(List.of(Mount.bind(shared, "/data", true), Mount.tmpfs("/scratch")))
                .withStdio(Stdio.NULL, Stdio.PIPE, Stdio.INHERIT);
        Execution e = sandbox.start(spec);
        String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(e.waitFor().exitCode()).isZero();
        assertThat(out).isEqualTo("host data\nread-only\ntmpfs-ok\n");
        assertThat(shared.resolve("new")).doesNotExist();
    }

    @Test
    void start_missingExecutable_throwsNamingIt() throws IOException {
        ExecSpec spec = spec("missing", "/bin/nope");
        assertThatThrownBy(() -> sandbox.start(spec))
                .isInstanceOf(SandboxException.class)
                .hasMessage("exec: \"/bin/nope\": executable file not found");
    }

    @Test
    void chrootIsolation_runsInTheCopyWithoutNewNamespaces() throws Exception {
        try (Sandbox chroot = Sandbox.open(Isolation.CHROOT)) {
            assertThat(chroot.isolation()).isEqualTo(Isolation.CHROOT);
            Execution e = chroot.start(spec("chroot", "sh", "-c", "echo $$ > /tmp/pid; ls /")
                    .withStdio(Stdio.NULL, Stdio.PIPE, Stdio.INHERIT));
            String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(e.waitFor().exitCode()).isZero();
            assertThat(out).contains("bin").contains("tmp");
        }
    }

    // How the lower dirs reach the kernel: a layer stacked twice (identical empty RUN layers share
    // one extracted dir) and a stack whose paths exceed the page mount(2) copies.

    private String runIn(List<Path> lowers, String name, String script) throws Exception {
        Path scratch = Files.createDirectories(tmp.resolve(name));
        Execution e = sandbox.start(ExecSpec.of(RootFs.overlay(lowers, scratch.resolve("upper"),
                scratch.resolve("work")), List.of("sh", "-c", script)).withStdio(Stdio.NULL, Stdio.PIPE, Stdio.PIPE));
        String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(e.stderr().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(e.waitFor().exitCode()).as(err).isZero();
        return out;
    }

    @Test
    void sameLayerTwiceAndEmptyLayers_mountAsTheTopmostCopy() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-layer"));
        Path a = Files.createDirectories(tmp.resolve("layer-a"));
        Files.writeString(a.resolve("a"), "from a\n");
        Path b = Files.createDirectories(tmp.resolve("layer-b"));
        Files.writeString(b.resolve("a"), "from b\n");
        // a below b below a again: the top a shows; the empty layer three times over
        String out = runIn(List.of(lower, empty, a, b, empty, empty, a), "twice", "cat /a");
        assertThat(out).isEqualTo("from a\n");
    }

    @Test
    void stackOf130LayersWithLongPaths_mountsBeyondThePageOfOptions() throws Exception {
        Path deep = tmp.resolve("a-long-directory-name-".repeat(6).substring(1));
        List<Path> lowers = new ArrayList<>(List.of(lower));
        for (int i = 0; i < 130; i++) {
            Path layer = Files.createDirectories(deep.resolve(String.format("%064d", i)));
            Files.writeString(layer.resolve("n"), i + "\n");
            Files.writeString(layer.resolve("f" + i), "");
            lowers.add(layer);
        }
        String options = String.join(":", lowers.stream().map(Path::toString).toList());
        assertThat(options.length()).as("the plain option string would not fit a page").isGreaterThan(4096);
        String out = runIn(lowers, "deep", "cat /n; ls / | grep -c '^f'");
        assertThat(out).isEqualTo("129\n130\n");
    }
}
