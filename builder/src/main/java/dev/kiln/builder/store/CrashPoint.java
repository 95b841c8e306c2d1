package dev.kiln.builder.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points in a build where a crash must leave the store sound (pull, snapshot, write,
 * commit), so that tests can kill kiln exactly there. Inert unless the JVM was started with
 * {@code -Dkiln.test.crashPoint=NAME -Dkiln.test.crashMarker=FILE}: then the process reaching
 * {@code NAME} writes its pid to {@code FILE} and waits to be killed.
 */
public final class CrashPoint {
    private CrashPoint() {}

    public static void reached(String name) {
        if (!name.equals(System.getProperty("kiln.test.crashPoint"))) {
            return;
        }
        String marker = System.getProperty("kiln.test.crashMarker");
        try {
            if (marker != null) {
                Path tmp = Path.of(marker + ".tmp");
                Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
                Files.move(tmp, Path.of(marker));
            }
            while (true) {
                Thread.sleep(60_000);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("crash point " + name + ": " + e, e);
        }
    }
}
