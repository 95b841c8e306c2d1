package dev.kiln.builder.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test-environment contract of scripts/test.sh; a missing variable skips the test, naming it. */
final class ItEnv {
    private ItEnv() {}

    static String require(String name) {
        String v = System.getenv(name);
        assumeTrue(v != null && !v.isBlank(), "environment variable " + name
                + " is not set: run the integration tests through scripts/test.sh");
        return v;
    }

    /** The port the in-process token server must listen on: the realm's, else 5103. */
    static int tokenServerPort() {
        String realm = System.getenv("KILN_IT_TOKEN_REALM");
        return realm == null || realm.isBlank() ? 5103 : URI.create(realm).getPort();
    }

    /** The kiln jar to run as a separate process: $KILN_IT_JAR, else the one this build made. */
    static Path jar() {
        String env = System.getenv("KILN_IT_JAR");
        Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of("target", "kiln.jar").toAbsolutePath();
        assumeTrue(Files.isRegularFile(p), "no kiln jar at " + p + " (set KILN_IT_JAR or run mvn package)");
        return p;
    }
}
