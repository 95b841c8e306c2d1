package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        assumeTrue(Syscalls.geteuid() == 0, "needs root (CI runs tests as root); rootless is SandboxIT");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox missing (busybox-static)");
        lower = busybox(tmp.resolve("busybox"));
        sandbox = Sandbox.open(Isolation.AUTO);
    }

    @AfterAll
    static void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    static Path busybox(Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "cat", "id", "ls", "touch", "true", "mount")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(root.resolve("tmp"));
        return root;
    }

    private ExecSpec spec(String name, String... argv) throws IOException {
        Path scratch = Files.createDirectories(tmp.resolve(name));
        return ExecSpec.of(RootFs.overlay(List.of(lower), scratch.resolve("upper"),
                scratch.resolve("work")), List.of(argv));
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
