package dev.kiln.oci.testing;

import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.History;
import dev.kiln.oci.Image;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import dev.kiln.oci.Platform;
import dev.kiln.oci.layout.BlobStore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Small, valid images for tests, built without kiln's layer writer so that tests of that writer do
 * not depend on it. Each layer is a map of path → content; a path ending in {@code /} makes a directory.
 */
public final class TestImages {
    private TestImages() {
    }

    /** A plain tar of {@code files}, sorted by name, owners 0:0, mtime 0. */
    public static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                boolean dir = f.getKey().endsWith("/");
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                byte[] content = dir ? new byte[0] : f.getValue().getBytes(StandardCharsets.UTF_8);
                e.setMode(dir ? 040755 : 0100644);
                e.setSize(content.length);
                e.setModTime(0);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** {@code files} (the same map as {@link #tar}) written under {@code dir}, which is created; returns {@code dir}. */
    public static Path directory(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            if (f.getKey().endsWith("/")) {
                Files.createDirectories(p);
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
        }
        return dir;
    }

    public static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }

    /**
     * Stores an OCI image (gzip layers) with {@code layers} into {@code store} and returns it.
     * The config carries {@code Cmd ["sh"]}, one history entry per layer and an empty-layer entry.
     */
    @SafeVarargs
    public static Image ociImage(BlobStore store, Platform platform, Map<String, String>... layers) throws IOException {
        return image(store, platform, false, layers);
    }

    /** As {@link #ociImage}, with Docker v2s2 media types. */
    @SafeVarargs
    public static Image dockerImage(BlobStore store, Platform platform, Map<String, String>... layers)
            throws IOException {
        return image(store, platform, true, layers);
    }

    /**
     * Stores an OCI image made of already-stored layers (descriptor + diff ID pairs, base first) and
     * returns it.
     */
    public static Image ociImage(BlobStore store, Platform platform, List<Descriptor> layers, List<Digest> diffIds)
            throws IOException {
        ImageConfig config = ImageConfig.empty(platform).withCreated("2024-01-01T00:00:00Z")
                .withConfig(ContainerConfig.EMPTY.withCmd(List.of("sh")));
        for (Digest diffId : diffIds) {
            config = config.withLayer(diffId, History.of("2024-01-01T00:00:00Z", "test layer"));
        }
        Parsed<ImageConfig> configDoc = Json.encode(config);
        store.put(configDoc.bytes());
        Parsed<Manifest> manifestDoc = Json.encode(Manifest.of(MediaType.OCI_MANIFEST,
                configDoc.descriptor(MediaType.OCI_CONFIG), layers));
        store.put(manifestDoc.bytes());
        return new Image(manifestDoc, configDoc, store);
    }

    @SafeVarargs
    private static Image image(BlobStore store, Platform platform, boolean docker, Map<String, String>... layers)
            throws IOException {
        List<Descriptor> descriptors = new ArrayList<>();
        ImageConfig config = ImageConfig.empty(platform).withCreated("2024-01-01T00:00:00Z")
                .withConfig(ContainerConfig.EMPTY.withCmd(List.of("sh")).withEnvVar("PATH", "/bin"));
        for (Map<String, String> files : layers) {
            byte[] plain = tar(files);
            byte[] compressed = gzip(plain);
            Digest digest = store.put(compressed);
            descriptors.add(Descriptor.of(docker ? MediaType.DOCKER_LAYER_GZIP : MediaType.OCI_LAYER_GZIP, digest,
                    compressed.length));
            DigestingOutputStream diff = DigestingOutputStream.nullSink();
            diff.write(plain);
            config = config.withLayer(diff.digest(), History.of("2024-01-01T00:00:00Z", "COPY " + files.keySet()));
        }
        config = config.withEmptyLayerHistory(History.of("2024-01-01T00:00:00Z", "CMD [\"sh\"]"));
        Parsed<ImageConfig> configDoc = Json.encode(config);
        store.put(configDoc.bytes());
        Manifest manifest = Manifest.of(docker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST,
                configDoc.descriptor(docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG), descriptors);
        Parsed<Manifest> manifestDoc = Json.encode(manifest);
        store.put(manifestDoc.bytes());
        return new Image(manifestDoc, configDoc, store);
    }
}
