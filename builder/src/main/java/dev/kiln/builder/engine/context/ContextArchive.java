package dev.kiln.builder.engine.context;

import java.io.IOException;
import java.nio.file.Path;

/** A build context given as a tar (plain or compressed), extracted safely into a directory. */
public final class ContextArchive {
    private ContextArchive() {}

    public static boolean isArchive(Path file) {
        return Archives.isArchive(file);
    }

    public static void extract(Path archive, Path dir) throws IOException {
        Archives.extract(archive, dir, "", null);
    }
}
