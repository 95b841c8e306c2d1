package dev.kiln.builder.cli;

import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.builder.store.CrashPoint;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.AuthEnvironment;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.RegistryConfig;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
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

    static void push(LocalStore store, List<Reference> names, ProgressListener progress, List<String> mirrors,
            List<String> insecure) {
        AuthEnvironment env = AuthEnvironment.system();
        Registries registries = Registries.standard(RegistryConfig.load(env.kilnConfig(), List.of(), insecure), env);
        ImagePusher pusher = new ImagePusher(registries, store, progress, 4, ImagePusher.DEFAULT_CHUNK_SIZE);
        for (Reference n : names) {
            ImageRecord r = store.image(n.toString()).orElseThrow();
            pusher.push(store.readManifest(r.manifest(), r.mediaType()), n, null);
            progress.message("pushed " + n);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        AtomicFiles.write(abs, text.getBytes(StandardCharsets.UTF_8), abs.getParent());
    }
}
