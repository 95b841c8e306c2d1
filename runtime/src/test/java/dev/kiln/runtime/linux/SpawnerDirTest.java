package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spawner's FIFOs: their directory is gone once both ends are open, so a kiln killed later
 * leaves nothing; one a kiln killed earlier left is removed by the next launch. A kiln killed
 * before it connected leaves no spawner waiting for it.
 */
class SpawnerDirTest {
    @TempDir Path tmp;

    @Test
    void launch_removesItsFifoDirOnceBothEndsAreOpen_andTheDirOfAKilledKiln_notALiveOnes() throws Exception {
        // what a kiln killed before its spawner was up leaves: its FIFOs and the lock nobody holds now
        Path killed = Files.createDirectory(tmp.resolve(Spawner.DIR_PREFIX + "killed"));
        Files.createFile(killed.resolve(OwnedTempDir.LOCK));
        Syscalls.mkfifo(killed.resolve("requests"), 0600);
        Syscalls.mkfifo(killed.resolve("responses"), 0600);
        try (OwnedTempDir live = OwnedTempDir.create(tmp, Spawner.DIR_PREFIX)) {
            Spawner.Launch launch = Spawner.launch(System.getProperty("java.class.path"), tmp);
            Path dir = launch.dir();
            try (Spawner spawner = launch.connect()) {
                assertThat(dir).as("both ends open: the FIFOs' names are needed no more").doesNotExist();
                assertThat(killed).doesNotExist();
                assertThat(live.dir()).isDirectory();
                assertThat(spawner.pid()).isPositive();
            }
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    /**
     * A kiln killed with SIGKILL right after it launched its spawner (before or after the spawner
     * opened its FIFOs): the spawner ends too, and its directory, if still there, is the next
     * launch's to remove. The old spawner, which kiln's ends opened only at the first container,
     * waited in open(2) forever.
     */
    @Test
    void aKilnKilledRightAfterTheLaunch_leavesNoSpawnerRunning() throws Exception {
        Process kiln = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SpawnerLaunchChild.class.getName(), tmp.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String said = new BufferedReader(new InputStreamReader(kiln.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(said).isEqualTo("launched");
        List<ProcessHandle> spawners = kiln.toHandle().children().toList();
        kiln.destroyForcibly();
        kiln.waitFor();

        assertThat(spawners).hasSize(1);
        ProcessHandle spawner = spawners.get(0);
        try {
            spawner.onExit().get(120, TimeUnit.SECONDS);
        } finally {
            spawner.destroyForcibly(); // one left waiting holds this JVM's stderr open: the test run would never end
        }
        OwnedTempDir.sweep(tmp, Spawner.DIR_PREFIX);
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    /** A spawner that dies before it opens its FIFOs: the launch fails and leaves no thread waiting in open(2), no directory. */
    @Test
    void aSpawnerThatCannotStart_failsTheConnect_andLeavesNoOpenerThreadNorDir() throws Exception {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Spawner.Launch launch = Spawner.launch(tmp.resolve("no-such.jar").toString(), tmp);

        org.assertj.core.api.Assertions.assertThatThrownBy(launch::connect).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("exited");
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && t.getName().startsWith("kiln-spawner")))
                .isEmpty();
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }
}
