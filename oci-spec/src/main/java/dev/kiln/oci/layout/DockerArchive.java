package dev.kiln.oci.layout;

import dev.kiln.oci.files.FileTrees;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.Image;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Docker archives, the format of {@code docker save} and {@code docker load}. kiln writes the
 * Docker 25+ shape: {@code manifest.json} ({@code [{Config, RepoTags, Layers}]}) pointing at
 * {@code blobs/sha256/<hex>}, a legacy {@code repositories} file, and alongside an OCI layout
 * ({@code oci-layout}, {@code index.json}, a manifest with uncompressed layers) so the same file is
 * also an OCI archive. Layers in a docker archive are uncompressed tars: compressed layers are
 * decompressed while writing and verified against the config's diff IDs. Reading accepts this
 * shape and the older one ({@code <id>/layer.tar}, {@code <hex>.json}, symlinked duplicates).
 */
public final class DockerArchive {
    private static final String MANIFEST_FILE = "manifest.json";

    private DockerArchive() {
    }

    /**
     * One image of a docker archive.
     *
     * @param repoTags its {@code RepoTags}, {@code NAME:TAG} in the form {@code docker save} writes
     *     (docker's familiar form, e.g. {@code busybox:latest}); may be empty
     * @param image the image
     * @param names the full name of each repo tag, in the same order, for {@code index.json}'s
     *     {@code io.containerd.image.name} (e.g. {@code docker.io/library/busybox:latest}); read
     *     archives and callers that know no better give the repo tags themselves
     */
    public record Entry(List<String> repoTags, Image image, List<String> names) {
        public Entry {
            repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
            names = names == null ? repoTags : List.copyOf(names);
            if (names.size() != repoTags.size()) {
                throw new IllegalArgumentException("one full name per repo tag: " + repoTags + " / " + names);
            }
        }

        /** An entry whose repo tags serve as their own full names. */
        public Entry(List<String> repoTags, Image image) {
            this(repoTags, image, null);
        }
    }

    /** One element of manifest.json, with Docker's field names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"Config", "RepoTags", "Layers"})
    record ManifestEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
                         @JsonProperty("Layers") List<String> layers) {
    }

    /** Writes {@code entries} to {@code archive} atomically (temp file, then rename). */
    public static void write(List<Entry> entries, Path archive) throws IOException {
        Path parent = archive.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + archive.getFileName(), ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(entries, out, parent);
            }
            Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code entries} as a docker archive to {@code out} (not closed). Compressed layers are
     * decompressed through temp files in {@code tmpDir}.
     */
    public static void write(List<Entry> entries, OutputStream out, Path tmpDir) throws IOException {
        TarArchiveOutputStream tar = ArchiveTar.writer(out);
        ArchiveTar.addDirectory(tar, OciLayout.BLOBS_DIR);
        ArchiveTar.addDirectory(tar, ArchiveTar.blobsDir(Digest.SHA256));
        Set<Digest> written = new HashSet<>();
        List<ManifestEntry> manifest = new ArrayList<>();
        List<Descriptor> ociEntries = new ArrayList<>();
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        for (Entry entry : entries) {
            Image image = entry.image();
            List<Digest> diffIds = image.diffIds();
            if (diffIds.size() != image.layers().size()) {
                throw new KilnException("image " + image.manifest().digest() + " has " + image.layers().size()
                        + " layers but its config lists " + diffIds.size() + " diff_ids");
            }
            List<String> layerPaths = new ArrayList<>();
            List<Descriptor> uncompressed = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                Digest diffId = diffIds.get(i);
                long size = writeLayer(tar, image, image.layers().get(i), diffId, written, tmpDir);
                layerPaths.add(ArchiveTar.blobEntry(diffId));
                uncompressed.add(Descriptor.of(MediaType.OCI_LAYER, diffId, size));
            }
            writeBlob(tar, image.config().bytes(), image.config().digest(), written);
            Parsed<Manifest> ociManifest = Json.encode(Manifest.of(MediaType.OCI_MANIFEST,
                    image.config().descriptor(MediaType.OCI_CONFIG), uncompressed));
            writeBlob(tar, ociManifest.bytes(), ociManifest.digest(), written);
            Descriptor ociEntry = ociManifest.descriptor(MediaType.OCI_MANIFEST);
            if (entry.repoTags().isEmpty()) {
                ociEntries.add(ociEntry);
            }
            for (int t = 0; t < entry.repoTags().size(); t++) {
                String repoTag = entry.repoTags().get(t);
                int colon = repoTag.lastIndexOf(':');
                boolean hasTag = colon > repoTag.lastIndexOf('/');
                String repo = hasTag ? repoTag.substring(0, colon) : repoTag;
                String tag = hasTag ? repoTag.substring(colon + 1) : "latest";
                if (!diffIds.isEmpty()) {
                    repositories.computeIfAbsent(repo, r -> new TreeMap<>())
                            .put(tag, diffIds.get(diffIds.size() - 1).hex());
                }
                ociEntries.add(ociEntry.withAnnotation("io.containerd.image.name", entry.names().get(t))
                        .withAnnotation(Descriptor.REF_NAME, tag));
            }
            manifest.add(new ManifestEntry(ArchiveTar.blobEntry(image.config().digest()), entry.repoTags(), layerPaths));
        }
        ArchiveTar.addFile(tar, OciLayout.INDEX_FILE, Json.write(Index.of(MediaType.OCI_INDEX, ociEntries)));
        ArchiveTar.addFile(tar, MANIFEST_FILE, Json.write(manifest));
        ArchiveTar.addFile(tar, OciLayout.LAYOUT_FILE, OciLayout.LAYOUT_CONTENT);
        if (!repositories.isEmpty()) {
            ArchiveTar.addFile(tar, "repositories", Json.write(repositories));
        }
        tar.finish();
    }

    private static void writeBlob(TarArchiveOutputStream tar, byte[] bytes, Digest digest, Set<Digest> written)
            throws IOException {
        if (written.add(digest)) {
            ArchiveTar.addFile(tar, ArchiveTar.blobEntry(digest), bytes);
        }
    }

    /** Writes one layer uncompressed under its diff ID; returns its uncompressed size. */
    private static long writeLayer(TarArchiveOutputStream tar, Image image, Descriptor layer, Digest diffId,
                                   Set<Digest> written, Path tmpDir) throws IOException {
        Path tmp = Files.createTempFile(tmpDir, ".kiln-layer-", ".tar");
        try {
            try (InputStream blob = image.openLayer(layer);
                 DigestingInputStream compressed = DigestingInputStream.forVerifying(blob, layer.digest());
                 InputStream plain = Compression.autoDecompress(compressed);
                 DigestingOutputStream out = new DigestingOutputStream(Files.newOutputStream(tmp))) {
                plain.transferTo(out);
                compressed.verify("layer", layer.digest(), layer.size());
                if (!out.digest().equals(diffId)) {
                    throw new DigestMismatchException("uncompressed layer " + layer.digest() + " (diff ID)", diffId,
                            out.digest());
                }
            }
            long size = Files.size(tmp);
            if (written.add(diffId)) {
                ArchiveTar.addFile(tar, ArchiveTar.blobEntry(diffId), tmp);
            }
            return size;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a docker archive (plain or compressed). Its images are stored into an OCI layout at
     * {@code workDir/layout} (tagged with their RepoTags), and returned as entries backed by that
     * layout. Layers keep their bytes (usually uncompressed, media type
     * {@code application/vnd.docker.image.rootfs.diff.tar}); each is verified against the config's
     * diff ID. The manifest is synthesised as Docker v2 schema 2, as skopeo does.
     */
    public static List<Entry> read(Path archive, Path workDir) throws IOException {
        Path extracted = workDir.resolve("extract");
        Map<String, String> links;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            links = ArchiveTar.extract(in, extracted);
        }
        try {
            OciLayout layout = OciLayout.create(workDir.resolve("layout"));
            Path manifestFile = extracted.resolve(MANIFEST_FILE);
            if (!Files.isRegularFile(manifestFile)) {
                throw new KilnException(archive + " is not a docker archive: no manifest.json",
                        "docker archives come from `docker save` or `kiln save --format docker`", null);
            }
            List<ManifestEntry> manifest = Json.mapper().readValue(Files.readAllBytes(manifestFile),
                    new TypeReference<List<ManifestEntry>>() { });
            List<Entry> result = new ArrayList<>();
            for (ManifestEntry m : manifest) {
                result.add(readEntry(m, extracted, links, layout));
            }
            return result;
        } finally {
            FileTrees.delete(extracted);
        }
    }

    private static Entry readEntry(ManifestEntry m, Path extracted, Map<String, String> links, OciLayout layout)
            throws IOException {
        Path configFile = extracted.resolve(ArchiveTar.followLinks(m.config(), links));
        byte[] configBytes = Files.readAllBytes(configFile);
        Parsed<ImageConfig> config = Json.parseConfig(configBytes);
        List<Digest> diffIds = config.value().rootfs().diffIds();
        List<String> layerPaths = m.layers() == null ? List.of() : m.layers();
        if (diffIds.size() != layerPaths.size()) {
            throw new KilnException("docker archive entry " + m.config() + " lists " + layerPaths.size()
                    + " layers but its config has " + diffIds.size() + " diff_ids");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < layerPaths.size(); i++) {
            Path file = extracted.resolve(ArchiveTar.followLinks(layerPaths.get(i), links));
            Compression compression;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                compression = Compression.sniff(in);
                if (compression != Compression.NONE) {
                    DigestingInputStream plain = new DigestingInputStream(compression.decompress(in));
                    plain.verify("layer " + layerPaths.get(i) + " (diff ID)", diffIds.get(i), -1);
                }
            }
            Digest digest = layout.blobStore().putFile(file, compression == Compression.NONE ? diffIds.get(i) : null);
            layers.add(Descriptor.of(MediaType.dockerLayer(compression), digest, Files.size(file)));
        }
        layout.put(configBytes);
        Parsed<Manifest> manifest = Json.encode(Manifest.of(MediaType.DOCKER_MANIFEST,
                config.descriptor(MediaType.DOCKER_CONFIG), layers));
        Descriptor descriptor = layout.putDocument(manifest, MediaType.DOCKER_MANIFEST);
        List<String> tags = m.repoTags() == null ? List.of() : m.repoTags();
        if (tags.isEmpty()) {
            layout.tag(null, descriptor);
        }
        for (String tag : tags) {
            layout.tag(tag, descriptor);
        }
        return new Entry(tags, new Image(manifest, config, layout));
    }

    /** The repoTag → manifest map of entries, for callers that look images up by name. */
    public static Map<String, Entry> byTag(List<Entry> entries) {
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry e : entries) {
            for (String tag : e.repoTags()) {
                map.put(tag, e);
            }
        }
        return map;
    }
}
