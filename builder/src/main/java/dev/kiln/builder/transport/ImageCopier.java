package dev.kiln.builder.transport;

import dev.kiln.builder.output.ImageLocation;
import dev.kiln.builder.output.ImageWriter;
import dev.kiln.builder.output.StoredImage;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Digest;
import java.nio.file.Path;

/**
 * {@code kiln copy}: reads the source into a store (the user's store when either side is
 * {@code kiln:}, else a private temporary one that is removed afterwards) and writes it out.
 */
public final class ImageCopier {
    private final ImageReader reader;
    private final ImageWriter writer;
    private final LocalStore userStore;

    public ImageCopier(ImageReader reader, ImageWriter writer, LocalStore userStore) {
        this.reader = reader;
        this.writer = writer;
        this.userStore = userStore;
    }

    public Digest copy(ImageLocation src, ImageLocation dst) {
        Reference name = nameFor(src, dst);
        if (src instanceof ImageLocation.Kiln || dst instanceof ImageLocation.Kiln) {
            try (LocalStore.Session session = userStore.session()) {
                StoredImage image = reader.read(src, userStore, name);
                return writer.write(image, dst);
            }
        }
        Path tmp = userStore.newTempDir("copy-");
        try {
            LocalStore scratch = new LocalStore(tmp);
            try (LocalStore.Session session = userStore.session(); LocalStore.Session s2 = scratch.session()) {
                StoredImage image = reader.read(src, scratch, name);
                return writer.write(image, dst);
            }
        } finally {
            LocalStore.deleteTree(tmp);
        }
    }

    /** The name the image gets while in a store: the destination's for kiln:, else what the source says. */
    private static Reference nameFor(ImageLocation src, ImageLocation dst) {
        if (dst instanceof ImageLocation.Kiln k && !(src instanceof ImageLocation.Kiln)) {
            return k.name();
        }
        if (dst instanceof ImageLocation.Registry r && !(src instanceof ImageLocation.Registry)
                && !(src instanceof ImageLocation.Kiln)) {
            return r.ref();
        }
        return null;
    }
}
