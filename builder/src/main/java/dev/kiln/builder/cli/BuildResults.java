package dev.kiln.builder.cli;

import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.builder.store.CrashPoint;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.transport.ImageLocation;
import dev.kiln.builder.transport.ImageWriter;
import dev.kiln.builder.transport.StoredImage;
import dev.kiln.oci.Json;
import dev.kiln.oci.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What happens to a built image after the build: names in the store, ID files, pushes. */
final class BuildResults {
    /** Blobs uploaded at once by {@code --push}. */
    private static final int PUSH_JOBS = 4;

    private BuildResults() {}

    static void name(LocalStore store, BuiltImage built, List<Reference> names) {
        long size = built.manifest().size() + built.config().size()
                + built.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
        CrashPoint.reached("commit");
        for (Reference n : names) {
            store.putImage(new ImageRecord(n.toString(), built.manifest().digest(), MediaType.OCI_MANIFEST,
                    built.id(), built.config().value().created(), size, null));
        }
    }

    static void writeIdFiles(BuiltImage built, List<Reference> names, Path iidFile, Path metadataFile)
            throws IOException {
        if (iidFile != null) {
            writeAtomically(iidFile, built.id().toString());
        }
        if (metadataFile != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("containerimage.config.digest", built.id().toString());
            m.put("containerimage.digest", built.manifest().digest().toString());
            m.put("containerimage.descriptor", built.manifest().descriptor(MediaType.OCI_MANIFEST));
            if (!names.isEmpty()) {
                m.put("image.name", names.stream().map(Reference::toString).collect(Collectors.joining(",")));
            }
            writeAtomically(metadataFile, Json.writePretty(m));
        }
    }

    /** Pushes each name the way {@code kiln push} does, through the command's registries. */
    static void push(LocalStore store, List<Reference> names, ProgressListener progress, Registries registries) {
        ImageWriter writer = new ImageWriter(registries, store, progress, PUSH_JOBS, ImagePusher.DEFAULT_CHUNK_SIZE);
        for (Reference n : names) {
            ImageRecord r = store.image(n.toString()).orElseThrow();
            writer.write(new StoredImage(store, r, null), new ImageLocation.Registry(n));
            progress.message("pushed " + n);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        AtomicFiles.write(abs, text.getBytes(StandardCharsets.UTF_8), abs.getParent());
    }
}
