package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spawner's FIFOs: their directory is gone once both ends are open, so a kiln killed later
 * leaves nothing; one a kiln killed earlier left is removed by the next launch.
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
}
