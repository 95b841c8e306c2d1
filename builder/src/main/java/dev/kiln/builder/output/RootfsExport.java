package dev.kiln.builder.output;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.snapshot.RootfsExtractor;
import dev.kiln.oci.BlobSource;
import java.io.IOException;
import java.nio.file.Path;

/** {@code -o type=local,dest=DIR}: the built image's root filesystem as a plain directory. */
public final class RootfsExport {
    private RootfsExport() {}

    public static void export(BuiltImage image, BlobSource blobs, Path dir) throws IOException {
        RootfsExtractor.extract(image.layers(), blobs, dir);
    }
}
