package dev.kiln.builder.differential;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A built image as files on disk: its config and its layer blobs, read from an OCI image layout
 * (kiln's {@code -o type=oci} archive, unpacked) or from a containers-image {@code dir:} copy
 * (buildah's push, which keeps the Docker config fields an OCI conversion drops: Healthcheck,
 * Shell, OnBuild).
 */
record BuiltImage(JsonNode config, List<Path> layers) {
    BuiltImage {
        layers = List.copyOf(layers);
    }

    /** The image an OCI layout's {@code index.json} names first. */
    static BuiltImage fromOciLayout(Path layout) throws IOException {
        JsonNode index = read(layout.resolve("index.json"));
        JsonNode manifest = read(blob(layout.resolve("blobs"), index.path("manifests").path(0).path("digest").asText()));
        return of(manifest, d -> blob(layout.resolve("blobs"), d));
    }

    /** The image of a {@code dir:} transport copy ({@code manifest.json}, blobs named by hex digest). */
    static BuiltImage fromDirTransport(Path dir) throws IOException {
        JsonNode manifest = read(dir.resolve("manifest.json"));
        return of(manifest, d -> dir.resolve(d.substring(d.indexOf(':') + 1)));
    }

    /** The merged root filesystem of the layers. */
    ImageTree tree() throws IOException {
        return ImageTree.fromLayers(layers);
    }

    private interface BlobPath {
        Path of(String digest);
    }

    private static BuiltImage of(JsonNode manifest, BlobPath blobs) throws IOException {
        JsonNode config = read(blobs.of(manifest.path("config").path("digest").asText()));
        List<Path> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(blobs.of(l.path("digest").asText())));
        return new BuiltImage(config, layers);
    }

    private static Path blob(Path blobs, String digest) {
        int colon = digest.indexOf(':');
        return blobs.resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    private static JsonNode read(Path file) throws IOException {
        return Json.readTree(Files.readAllBytes(file));
    }
}
