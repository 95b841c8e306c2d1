package dev.kiln.builder.snapshot;

import dev.kiln.oci.BlobSource;
import dev.kiln.oci.layer.DiffIdCheck;
import dev.kiln.oci.layer.FileWrites;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.runtime.linux.NativeFileWrites;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Flattens layers into one plain directory (for {@code COPY --from} and {@code -o type=local}) with
 * oci-spec's safe {@link LayerExtractor}: whiteouts delete, nothing is written outside the root.
 * Owners are applied only when kiln is root (COPY gives its files 0:0 or {@code --chown}'s anyway).
 * Each layer's diff ID is verified as it is extracted; on a mismatch the caller discards {@code root}.
 */
public final class RootfsExtractor {
    private RootfsExtractor() {}

    public static void extract(List<LayerBlob> layers, BlobSource blobs, Path root) throws IOException {
        Files.createDirectories(root);
        LayerExtractor extractor = new LayerExtractor(LayerExtractor.Options.defaults()
                .withApplyOwnership(ProcessIds.isRoot()).withFileWrites(NativeFileWrites.load().orElse(FileWrites.JAVA))
                .withWriterThreadWhereItPays());
        for (LayerBlob layer : layers) {
            try (InputStream in = blobs.open(layer.descriptor().digest());
                    DiffIdCheck check = DiffIdCheck.readingAhead(in, layer.descriptor().digest(), layer.diffId())) {
                extractor.extract(check.stream(), root);
                check.finish();
            }
        }
    }
}
