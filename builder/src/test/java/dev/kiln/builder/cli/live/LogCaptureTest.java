package dev.kiln.builder.cli.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Log records meant for stderr go above the live view while it draws, and back to stderr after. */
class LogCaptureTest {

    @Test
    void capture_takesConsoleRecordsWhileOpen_andPutsTheConsoleBack() {
        Logger root = Logger.getLogger("");
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        root.addHandler(console);
        List<String> above = new ArrayList<>();
        try {
            try (LogCapture capture = new LogCapture(above::add)) {
                assertThat(root.getHandlers()).doesNotContain(console);
                System.getLogger("kiln.test").log(System.Logger.Level.WARNING, "overlay mounts are not available ({0})",
                        "EPERM");
                System.getLogger("kiln.test").log(System.Logger.Level.DEBUG, "below the console's level");
            }

            assertThat(root.getHandlers()).contains(console);
            assertThat(above).containsExactly("WARNING: overlay mounts are not available (EPERM)");
        } finally {
            root.removeHandler(console);
        }
    }
}
