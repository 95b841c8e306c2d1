package dev.kiln.builder.output;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.snapshot.RootfsExtractor;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code -o type=local,dest=DIR}: the built image's root filesystem as a plain directory. */
public final class RootfsExport {
    private RootfsExport() {}

    /**
     * Extracts the image into a staging directory beside {@code dir} and renames it into place
     * (replacing a directory there), so a failed export leaves {@code dir} as it was.
     */
    public static void export(BuiltImage image, BlobSource blobs, Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + dir.getFileName() + "-");
        try {
            RootfsExtractor.extract(image.layers(), blobs, staging);
            if (Files.isDirectory(dir)) {
                FileTrees.deleteQuietly(dir);
            }
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(staging)) {
                FileTrees.deleteQuietly(staging);
            }
        }
    }
}
