package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The isolation probe's remembered answer: used only for exactly the facts it was written for,
 * never when damaged, and — in a sandbox as real root — a remembered answer means no probe at open,
 * while a container failing where it said everything works makes the sandbox probe again.
 */
class ProbeMemoTest {
    /** A class path on which no spawner JVM can start: a sandbox that must probe at open fails. */
    private static final String NO_SPAWNER = "/nonexistent/kiln-test-classes";

    @TempDir Path tmp;

    @Test
    void remembered_onlyForTheSameFacts() throws IOException {
        Path memos = tmp.resolve("probes");
        SandboxOptions options = SandboxOptions.of(Isolation.AUTO).withUpperDirs(tmp.resolve("upper"));
        ProbeMemo memo = ProbeMemo.in(memos, tmp.resolve("upper"), options);
        assertThat(memo.remembered()).isFalse();
        memo.remember();

        assertThat(ProbeMemo.in(memos, tmp.resolve("upper"), options).remembered()).isTrue();
        assertThat(ProbeMemo.in(memos, tmp.resolve("other-upper"), options).remembered()).isFalse();
        assertThat(ProbeMemo.in(memos, tmp.resolve("upper"), options.withOverlay(false)).remembered()).isFalse();
        assertThat(ProbeMemo.in(memos, tmp.resolve("upper"), SandboxOptions.of(Isolation.USERNS)).remembered())
                .isFalse();
        // what the entry holds is every fact, in plain text
        assertThat(Files.readString(memo.file())).contains("/proc/sys/kernel/osrelease ", "/proc/self/uid_map ",
                "upper dirs " + tmp.resolve("upper").toRealPath(), "asked AUTO overlay true");
    }

    @Test
    void damagedOrForeignEntry_notUsed() throws IOException {
        Path memos = tmp.resolve("probes");
        SandboxOptions options = SandboxOptions.of(Isolation.AUTO);
        ProbeMemo memo = ProbeMemo.in(memos, tmp, options);
        memo.remember();
        byte[] bytes = Files.readAllBytes(memo.file());

        bytes[bytes.length / 2] ^= 1;
        Files.write(memo.file(), bytes);
        assertThat(ProbeMemo.in(memos, tmp, options).remembered()).as("one bit flipped").isFalse();

        Files.write(memo.file(), new byte[0]);
        assertThat(ProbeMemo.in(memos, tmp, options).remembered()).as("empty").isFalse();

        // another machine's entry under this one's name: its facts are not these
        bytes[bytes.length / 2] ^= 1;
        Files.write(memo.file(), new String(bytes, StandardCharsets.UTF_8).replace("osrelease ", "osrelease 0")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(ProbeMemo.in(memos, tmp, options).remembered()).as("other facts").isFalse();

        Files.delete(memo.file());
        Files.createDirectory(memo.file());
        assertThat(ProbeMemo.in(memos, tmp, options).remembered()).as("a directory").isFalse();
    }

    @Test
    void forget_dropsTheEntry() {
        SandboxOptions options = SandboxOptions.of(Isolation.AUTO);
        ProbeMemo memo = ProbeMemo.in(tmp.resolve("probes"), tmp, options);
        memo.remember();
        memo.forget();
        assertThat(ProbeMemo.in(tmp.resolve("probes"), tmp, options).remembered()).isFalse();
    }

    @Test
    void sandbox_remembersWhatWorks_andThenOpensWithoutProbing() throws Exception {
        Path lower = SandboxAsRootTest.busybox(tmp.resolve("busybox"), "SandboxIT");
        SandboxOptions options = SandboxOptions.of(Isolation.AUTO).withUpperDirs(tmp.resolve("upper"))
                .withProbeMemos(tmp.resolve("probes"));
        // no answer yet: the probe needs the spawner at open
        assertThatThrownBy(() -> Sandbox.open(options, null, NO_SPAWNER)).isInstanceOf(SandboxException.class)
                .hasMessageStartingWith("cannot start kiln's spawner process");
        try (Sandbox sandbox = Sandbox.open(options)) {
            assertThat(sandbox.describe()).startsWith("userns (overlay");
        }
        assertThat(entries(tmp.resolve("probes"))).hasSize(1);

        // remembered: open needs no spawner; the first container does
        try (Sandbox sandbox = Sandbox.open(options, null, NO_SPAWNER)) {
            assertThat(sandbox.describe()).startsWith("userns (overlay");
            assertThatThrownBy(() -> sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower),
                    tmp.resolve("upper/u1"), tmp.resolve("upper/w1")), List.of("true"))))
                    .isInstanceOf(SandboxException.class).hasMessageStartingWith("cannot start kiln's spawner process");
        }
        try (Sandbox sandbox = Sandbox.open(options)) {
            ExecResult r = sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower), tmp.resolve("upper/u2"),
                    tmp.resolve("upper/w2")), List.of("sh", "-c", "echo hi > /made")));
            assertThat(r.exitCode()).isZero();
            assertThat(Files.readString(tmp.resolve("upper/u2/made"))).isEqualTo("hi\n");
        }
        // a damaged answer is not used: probing again needs the spawner at open
        Path entry = entries(tmp.resolve("probes")).get(0);
        Files.writeString(entry, Files.readString(entry).replace("overlay true", "overlay tru"));
        assertThatThrownBy(() -> Sandbox.open(options, null, NO_SPAWNER)).isInstanceOf(SandboxException.class);
    }

    @Test
    void firstContainerFailsAtTheOverlayMount_probesAgain_andReportsTheContainersOwnFailure() throws Exception {
        Path lower = SandboxAsRootTest.busybox(tmp.resolve("busybox"), "SandboxIT");
        SandboxOptions options = SandboxOptions.of(Isolation.AUTO).withUpperDirs(tmp.resolve("upper"))
                .withProbeMemos(tmp.resolve("probes"));
        Sandbox.open(options).close();
        Path entry = entries(tmp.resolve("probes")).get(0);
        Files.setLastModifiedTime(entry, java.nio.file.attribute.FileTime.fromMillis(0));
        try (Sandbox sandbox = Sandbox.open(options)) {
            // a lower dir that is not there: the overlay mount fails, whatever the probe says
            assertThatThrownBy(() -> sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower, tmp.resolve("missing")),
                    tmp.resolve("upper/u"), tmp.resolve("upper/w")), List.of("true"))))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("mount overlay").hasMessageContaining("ENOENT");
            // the probe ran again, agreed, and its answer was written anew
            assertThat(Files.getLastModifiedTime(entry).toMillis()).isPositive();
            assertThat(sandbox.describe()).startsWith("userns (overlay");
            assertThat(sandbox.run(ExecSpec.of(RootFs.overlay(List.of(lower), tmp.resolve("upper/u3"),
                    tmp.resolve("upper/w3")), List.of("true"))).exitCode()).isZero();
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
