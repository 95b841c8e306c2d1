package dev.kiln.builder.engine;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.Parsed;
import java.util.List;

/** The result of a build: manifest and config as stored (with their bytes), and the layers. */
public record BuiltImage(Parsed<Manifest> manifest, Parsed<ImageConfig> config, List<LayerBlob> layers) {
    public BuiltImage {
        layers = List.copyOf(layers);
    }

    /** The image ID, as Docker shows it: the config digest. */
    public Digest id() {
        return config.digest();
    }

    /** A read-only image view over {@code blobs}. */
    public Image image(BlobSource blobs) {
        return new Image(manifest, config, blobs);
    }
}
