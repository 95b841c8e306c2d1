package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directories kiln keeps in a shared {@code /tmp} or {@code /dev/shm} ({@link OwnedTempDir}):
 * what a kiln killed with SIGKILL left is removed by the next one; what a live kiln holds (in
 * another process or this one), a symlink, another user's directory are never touched.
 */
class OwnedTempDirTest {
    private static final String PREFIX = "kiln-test-";

    @TempDir Path tmp;

    /** Another JVM running {@link OwnedTempDirChild} with {@code args}. */
    private static Process child(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), OwnedTempDirChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Another kiln holding a directory, and that directory. */
    private record Holder(Process process, Path dir) {}

    private Holder holder() throws IOException {
        Process p = child("hold", tmp.toString(), PREFIX);
        return new Holder(p, Path.of(firstLine(p)));
    }

    /** What another kiln's sweep removed. */
    private int sweepInAnotherProcess() throws Exception {
        Process p = child("sweep", tmp.toString(), PREFIX);
        String out = firstLine(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return Integer.parseInt(out);
    }

    @Test
    void sweep_removesTheDirOfAKilledKiln_keepsALiveOnesInAnotherProcessAndInThisOne() throws Exception {
        Holder killed = holder();
        Holder live = holder();
        try (OwnedTempDir mine = OwnedTempDir.create(tmp, PREFIX)) {
            killed.process().destroyForcibly(); // SIGKILL: no cleanup runs
            killed.process().waitFor();
            assertThat(killed.dir()).as("a killed kiln cannot delete its directory").isDirectory();

            assertThat(OwnedTempDir.sweep(tmp, PREFIX)).isEqualTo(1);
            assertThat(killed.dir()).doesNotExist();
            assertThat(live.dir()).isDirectory();
            assertThat(mine.dir()).isDirectory();
            // this process's sweep did not drop the lock of its own directory (closing a descriptor
            // of a locked file drops the process's POSIX locks on it): another kiln still sees it held
            assertThat(sweepInAnotherProcess()).isZero();
            assertThat(mine.dir()).isDirectory();
            assertThat(live.dir()).isDirectory();
        } finally {
            live.process().destroyForcibly();
            live.process().waitFor();
        }
        assertThat(OwnedTempDir.sweep(tmp, PREFIX)).isEqualTo(1);
        try (var left = Files.list(tmp)) {
            assertThat(left).as("closed, and the other one killed: nothing left").isEmpty();
        }
    }

    @Test
    void sweep_neverFollowsASymlink_norTouchesAnotherUsersDir() throws Exception {
        // what a killed kiln leaves, but elsewhere, behind a link of the prefix
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createFile(elsewhere.resolve(OwnedTempDir.LOCK));
        Files.writeString(elsewhere.resolve("data"), "not kiln's to delete");
        Path link = Files.createSymbolicLink(tmp.resolve(PREFIX + "link"), elsewhere);

        assertThat(OwnedTempDir.sweep(tmp, PREFIX)).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(elsewhere.resolve("data")).exists();

        Assumptions.assumeTrue(Syscalls.getuid() == 0, "giving a directory to another user takes root");
        Path others = Files.createDirectory(tmp.resolve(PREFIX + "others"));
        Files.createFile(others.resolve(OwnedTempDir.LOCK));
        Files.setAttribute(others.resolve(OwnedTempDir.LOCK), "unix:uid", 65534);
        Files.setAttribute(others, "unix:uid", 65534);

        assertThat(OwnedTempDir.sweep(tmp, PREFIX)).isZero();
        assertThat(others.resolve(OwnedTempDir.LOCK)).exists();
    }
}
