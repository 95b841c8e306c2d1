package dev.kiln.builder.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code testdata/} folder from the module directory surefire runs in. */
public final class TestData {
    private TestData() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata").resolve("conformance");
            if (Files.isDirectory(candidate)) {
                return p.resolve("testdata");
            }
        }
        throw new IllegalStateException("testdata/conformance not found above " + dir);
    }

    public static Path conformance(String sub) {
        return root().resolve("conformance").resolve(sub);
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
