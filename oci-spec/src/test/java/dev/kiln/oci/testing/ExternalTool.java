package dev.kiln.oci.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a third-party judge ({@code skopeo}, {@code umoci}, {@code oci-image-tool}) in integration
 * tests. A missing tool skips the test with an assumption naming it, never silently.
 */
public final class ExternalTool {
    private ExternalTool() {
    }

    /** The result of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Fails the test unless the tool exited 0. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    /** Skips the calling test unless {@code tool} is on the PATH. */
    public static void assumeInstalled(String tool) {
        Assumptions.assumeTrue(find(tool) != null,
                tool + " is not installed (not on PATH); install it (apt-get install " + tool + ") to run this check");
    }

    /** Skips the calling test unless environment variable {@code name} is set; returns it. */
    public static String assumeEnv(String name) {
        String value = System.getenv(name);
        Assumptions.assumeTrue(value != null && !value.isEmpty(),
                "environment variable " + name + " is not set (scripts/test.sh sets it)");
        return value;
    }

    /** Runs {@code command} (its tool must be installed: checked first) with a 5 minute limit. */
    public static Result run(String... command) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(5), command);
    }

    /** Runs {@code command} (its tool must be installed: checked first); a hang guard of {@code limit}. */
    public static Result run(Duration limit, String... command) throws IOException, InterruptedException {
        assumeInstalled(command[0]);
        Path out = Files.createTempFile("kiln-tool-", ".out");
        Path err = Files.createTempFile("kiln-tool-", ".err");
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + limit);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path find(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
