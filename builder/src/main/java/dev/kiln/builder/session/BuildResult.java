package dev.kiln.builder.session;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.registry.Reference;
import dev.kiln.oci.Json;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A finished build: the image (in the session's store, named {@code names} there) after every
 * {@link BuildRequest#outputs() output} was written.
 *
 * @param fromCache true when every layer came from the cache without a container ({@link BuildSession#buildFromCache})
 */
public record BuildResult(BuiltImage image, List<Reference> names, boolean fromCache) {
    public BuildResult {
        names = List.copyOf(names);
    }

    /** {@code --iidfile}: the image ID, written atomically. */
    public void writeIdFile(Path file) throws IOException {
        writeAtomically(file, image.id().toString());
    }

    /** {@code --metadata-file}: BuildKit's {@code containerimage.*} keys and the names, as JSON. */
    public void writeMetadataFile(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("containerimage.config.digest", image.id().toString());
        m.put("containerimage.digest", image.manifest().digest().toString());
        m.put("containerimage.descriptor", image.manifest().descriptor(MediaType.OCI_MANIFEST));
        if (!names.isEmpty()) {
            m.put("image.name", names.stream().map(Reference::toString).collect(Collectors.joining(",")));
        }
        writeAtomically(file, Json.writePretty(m));
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        AtomicFiles.write(abs, text.getBytes(StandardCharsets.UTF_8), abs.getParent());
    }
}
