package dev.kiln.builder.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Json;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code images.json}: image names → {@link ImageRecord}. Read without locking (the file is only
 * ever replaced by an atomic rename); changed read-modify-write under an exclusive lock on
 * {@code images.lock}, so concurrent kiln processes never lose each other's names.
 */
final class ImageIndex {
    private final Path file;
    private final Path lockFile;
    private final Path tmpDir;

    ImageIndex(StoreLayout layout) {
        this.file = layout.imageIndex();
        this.lockFile = layout.imageIndexLock();
        this.tmpDir = layout.tmp();
    }

    /** Every record by name, sorted. */
    TreeMap<String, ImageRecord> read() {
        TreeMap<String, ImageRecord> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            JsonNode images = Json.mapper().readTree(file.toFile()).path("images");
            for (Iterator<Map.Entry<String, JsonNode>> it = images.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ImageRecord r = Json.mapper().treeToValue(e.getValue(), ImageRecord.class);
                out.put(e.getKey(), r.withName(e.getKey()));
            }
            return out;
        } catch (IOException e) {
            throw new KilnException("cannot read the image index " + file + ": " + e.getMessage(),
                    "the file is JSON written by kiln; restore it or remove it to forget all names", e);
        }
    }

    /** Applies {@code change} to the current records and writes them back, atomically, under the lock. */
    void update(Consumer<TreeMap<String, ImageRecord>> change) {
        try (StoreLock lock = StoreLock.exclusive(lockFile)) {
            TreeMap<String, ImageRecord> images = read();
            change.accept(images);
            ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("version", 1);
            ObjectNode node = doc.putObject("images");
            images.forEach((name, r) -> node.set(name, Json.mapper().valueToTree(r)));
            AtomicFiles.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(doc), tmpDir);
        } catch (IOException e) {
            throw new KilnException("cannot write the image index " + file + ": " + e.getMessage(), e);
        }
    }
}
