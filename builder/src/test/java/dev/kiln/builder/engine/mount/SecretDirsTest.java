package dev.kiln.builder.engine.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, finding 8: secrets a kiln killed with SIGKILL left in /dev/shm are removed by the next one. */
class SecretDirsTest {
    @TempDir Path shm;

    @Test
    void secretsAfterSigkill_anUnlockedSecretDir_isRemovedByTheNextKiln_aHeldOneIsKept() throws Exception {
        // what a kiln killed mid-RUN leaves: its lock file (the kernel dropped the lock) and the secret
        Path left = Files.createDirectory(shm.resolve(SecretDirs.PREFIX + "killed"));
        Files.createFile(left.resolve(".lock"));
        Files.writeString(left.resolve("token"), "s3cr3t");
        Path notKilns = Files.createDirectory(shm.resolve(SecretDirs.PREFIX + "nolock"));

        Path secret;
        try (HeldDir running = SecretDirs.create(shm)) {
            secret = running.dir();
            assertThat(left).doesNotExist();
            assertThat(notKilns).as("no lock file: being created, or not kiln's").exists();

            dev.kiln.runtime.linux.OwnedTempDir.sweep(shm, SecretDirs.PREFIX);
            assertThat(running.dir()).as("held by a running step").exists();
        }
        assertThat(secret).as("the step is done: its secret goes").doesNotExist();
    }
}
