package dev.kiln.builder.dockerfile;

import dev.kiln.oci.files.FileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds and loads the ignore file of a build: {@code <Dockerfile name>.dockerignore} next to the
 * Dockerfile wins over {@code .dockerignore} at the context root.
 */
public final class IgnoreFiles {
    private IgnoreFiles() {}

    /** The ignore file that applies, if any. */
    public static Optional<Path> locate(Path contextDir, Path dockerfile) {
        if (dockerfile != null) {
            Path specific = dockerfile.resolveSibling(FileNames.path(FileNames.name(dockerfile) + ".dockerignore"));
            if (Files.isRegularFile(specific)) {
                return Optional.of(specific);
            }
        }
        Path common = contextDir.resolve(".dockerignore");
        return Files.isRegularFile(common) ? Optional.of(common) : Optional.empty();
    }

    /** The matcher for this build; {@link IgnoreMatcher#empty()} when there is no ignore file. */
    public static IgnoreMatcher load(Path contextDir, Path dockerfile) {
        Optional<Path> file = locate(contextDir, dockerfile);
        if (file.isEmpty()) {
            return IgnoreMatcher.empty();
        }
        try {
            // patterns are names: bytes that are not UTF-8 match the same bytes in the context
            String text = FileNames.decode(Files.readAllBytes(file.get()));
            return IgnoreMatcher.parse(FileNames.name(file.get()), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.get(), e);
        }
    }
}
