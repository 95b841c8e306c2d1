package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionCacheTest {

    @TempDir Path dir;

    @Test
    void recordIfAsked_versionAlone_keepsHeaderAndExactlyWhatKilnPrinted() throws Exception {
        for (String arg : new String[] {"--version", "-V"}) {
            Path file = dir.resolve("version" + arg);
            String[] args = {arg};
            InProcessKiln.Run printed = InProcessKiln.run(args);
            VersionCache.recordIfAsked(Main.commandLine(args), args, file.toString());

            String kept = Files.readString(file);
            String head = "kiln --version 1\njava " + System.getProperty("java.version")
                    + "\nos " + System.getProperty("os.version") + "\nbytes " + printed.out().length() + "\n";
            assertThat(kept).as("kiln %s", arg).isEqualTo(head + printed.out());
            assertThat(printed.out()).startsWith("kiln ").contains("\nJava ");
            Path classes = Path.of(VersionCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertThat(Files.getLastModifiedTime(file)).as("stamped with the jar's time")
                    .isEqualTo(Files.getLastModifiedTime(classes));
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .as("no temporary file left").containsExactlyInAnyOrder("version--version", "version-V");
    }

    @Test
    void recordIfAsked_anythingElse_writesNothing() throws Exception {
        Path file = dir.resolve("version");
        for (String[] args : List.of(new String[] {"--version", "--help"}, new String[] {"images"},
                new String[] {"-V", "-V"}, new String[] {}, new String[] {"--help"})) {
            VersionCache.recordIfAsked(Main.commandLine(args), args, file.toString());
        }
        VersionCache.recordIfAsked(Main.commandLine(new String[] {"--version"}), new String[] {"--version"}, null);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void recordIfAsked_unwritableDirectory_isSilent() {
        String[] args = {"--version"};
        VersionCache.recordIfAsked(Main.commandLine(args), args, dir.resolve("missing/version").toString());
        assertThat(dir).isEmptyDirectory();
    }
}
