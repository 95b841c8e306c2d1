package dev.kiln.oci.layout;

import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Parsed;
import dev.kiln.oci.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout directory: {@code oci-layout}, {@code index.json} and {@code blobs/<alg>/<hex>}.
 * Tags are {@code org.opencontainers.image.ref.name} annotations on index.json entries. Writes of
 * index.json are atomic; concurrent taggers of one layout should hold their own lock.
 */
public final class OciLayout implements BlobStore {
    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    /** The blobs directory, {@code blobs/<alg>/<hex>}, in a layout and in its archive alike. */
    static final String BLOBS_DIR = "blobs";
    static final byte[] LAYOUT_CONTENT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Path dir;
    private final DirBlobStore blobs;

    private OciLayout(Path dir) {
        this.dir = dir;
        this.blobs = new DirBlobStore(dir.resolve(BLOBS_DIR));
    }

    /** Opens the layout at {@code dir}, creating an empty one if the directory is empty or absent. */
    public static OciLayout create(Path dir) throws IOException {
        Files.createDirectories(dir.resolve(BLOBS_DIR));
        if (!Files.exists(dir.resolve(LAYOUT_FILE))) {
            Files.write(dir.resolve(LAYOUT_FILE), LAYOUT_CONTENT);
        }
        OciLayout layout = new OciLayout(dir);
        if (!Files.exists(dir.resolve(INDEX_FILE))) {
            layout.writeIndex(Index.of(MediaType.OCI_INDEX, List.of()));
        }
        return open(dir);
    }

    /** Opens an existing layout; refuses a directory that is not one. */
    public static OciLayout open(Path dir) throws IOException {
        Path layoutFile = dir.resolve(LAYOUT_FILE);
        if (!Files.isRegularFile(layoutFile)) {
            throw new KilnException(dir + " is not an OCI image layout: no oci-layout file",
                    "an OCI layout holds oci-layout, index.json and blobs/", null);
        }
        String version = Json.readTree(Files.readAllBytes(layoutFile)).path("imageLayoutVersion").asText();
        if (!version.startsWith("1.")) {
            throw new KilnException(dir + ": unsupported imageLayoutVersion '" + version + "'");
        }
        if (!Files.isRegularFile(dir.resolve(INDEX_FILE))) {
            throw new KilnException(dir + " is not an OCI image layout: no index.json");
        }
        return new OciLayout(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The blob files, for stores that want direct paths. */
    public DirBlobStore blobStore() {
        return blobs;
    }

    /** index.json as stored. */
    public Parsed<Index> index() throws IOException {
        return Json.parseIndex(Files.readAllBytes(dir.resolve(INDEX_FILE)));
    }

    /** Replaces index.json atomically. */
    public void writeIndex(Index index) throws IOException {
        Path tmp = Files.createTempFile(dir, ".index-", ".json");
        try {
            Files.write(tmp, Json.write(index));
            Files.move(tmp, dir.resolve(INDEX_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Points {@code ref} at {@code manifest} in index.json, replacing any entry with the same ref name.
     * A null ref adds an untagged entry.
     */
    public void tag(String ref, Descriptor manifest) throws IOException {
        Index index = index().value();
        List<Descriptor> entries = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (ref == null || !d.refName().filter(ref::equals).isPresent()) {
                entries.add(d);
            }
        }
        entries.add(ref == null ? manifest : manifest.withAnnotation(Descriptor.REF_NAME, ref));
        writeIndex(index.withManifests(entries));
    }

    /**
     * The index.json entry for {@code ref}; with a null ref, the only entry if there is exactly one.
     */
    public Optional<Descriptor> resolve(String ref) throws IOException {
        return resolve(index().value(), ref);
    }

    /** The entry of {@code index} named {@code ref}; with a null ref, the only entry if there is one. */
    static Optional<Descriptor> resolve(Index index, String ref) {
        if (ref == null) {
            return index.manifests().size() == 1 ? Optional.of(index.manifests().get(0)) : Optional.empty();
        }
        return index.findByRefName(ref);
    }

    /**
     * The single-platform image that {@code ref} names; an index is resolved for {@code platform}.
     *
     * @throws KilnException when the ref or a matching platform is missing
     */
    public Image image(String ref, Platform platform) throws IOException {
        Optional<Descriptor> root = resolve(ref);
        if (root.isEmpty()) {
            throw new KilnException("no image " + (ref == null ? "(untagged)" : "'" + ref + "'") + " in OCI layout "
                    + dir, "tags in this layout: " + tags(), null);
        }
        return image(root.get(), platform);
    }

    /** The image {@code descriptor} points at, resolving indexes (nested too) for {@code platform}. */
    public Image image(Descriptor descriptor, Platform platform) throws IOException {
        return resolveImage(this, descriptor, platform, dir.toString());
    }

    /** Resolves {@code descriptor} in any blob source to one image for {@code platform}. */
    public static Image resolveImage(BlobSource source, Descriptor descriptor, Platform platform, String where)
            throws IOException {
        Descriptor current = descriptor;
        for (int depth = 0; depth < 8; depth++) {
            byte[] bytes = source.readAll(current.digest());
            Parsed.verified(bytes, bytes, current.digest(), "manifest in " + where);
            MediaType type = Json.detectMediaType(bytes);
            if (type.isSchema1()) {
                throw Json.schema1();
            }
            if (!type.isIndex()) {
                return Image.read(bytes, source);
            }
            Index index = Json.parseIndex(bytes).value();
            Descriptor chosen = index.find(platform).orElse(null);
            if (chosen == null) {
                List<String> platforms = index.manifests().stream()
                        .map(d -> d.platform() == null ? "(none)" : d.platform().toString()).toList();
                throw new KilnException("no image for platform " + platform + " in " + where,
                        "available platforms: " + platforms, null);
            }
            current = chosen;
        }
        throw new KilnException("indexes nested too deeply in " + where);
    }

    /** The ref names in index.json, in order. */
    public List<String> tags() throws IOException {
        return index().value().manifests().stream().flatMap(d -> d.refName().stream()).toList();
    }

    /**
     * Copies {@code image}'s layers, config and manifest into this layout (blobs already present are
     * kept) and returns the manifest's descriptor. Does not tag.
     */
    public Descriptor writeImage(Image image) throws IOException {
        for (Descriptor layer : image.layers()) {
            if (!has(layer.digest())) {
                try (InputStream in = image.openLayer(layer)) {
                    put(in, layer.digest(), layer.size());
                }
            }
        }
        putBytes(image.config().bytes(), image.config().digest());
        putBytes(image.manifest().bytes(), image.manifest().digest());
        return image.descriptor();
    }

    /**
     * Copies the tree under {@code root} (an index with its manifests, or a manifest) from
     * {@code source} into this layout, and returns {@code root}. Does not tag.
     */
    public Descriptor copyFrom(BlobSource source, Descriptor root) throws IOException {
        byte[] bytes = source.readAll(root.digest());
        Parsed.verified(bytes, bytes, root.digest(), "manifest");
        MediaType type = Json.detectMediaType(bytes);
        if (type.isIndex()) {
            for (Descriptor child : Json.parseIndex(bytes).value().manifests()) {
                if (child.mediaType().isManifest() || child.mediaType().isIndex()) {
                    copyFrom(source, child);
                } else {
                    copyBlob(source, child);
                }
            }
        } else if (type.isManifest()) {
            var manifest = Json.parseManifest(bytes).value();
            copyBlob(source, manifest.config());
            for (Descriptor layer : manifest.layers()) {
                copyBlob(source, layer);
            }
        } else if (type.isSchema1()) {
            throw Json.schema1();
        }
        putBytes(bytes, root.digest());
        return root;
    }

    private void copyBlob(BlobSource source, Descriptor blob) throws IOException {
        if (has(blob.digest())) {
            return;
        }
        if (blob.mediaType().isNondistributable() && !source.has(blob.digest())) {
            return; // foreign layers may legitimately be absent
        }
        try (InputStream in = source.open(blob.digest())) {
            put(in, blob.digest(), blob.size());
        }
    }

    private void putBytes(byte[] bytes, Digest expected) throws IOException {
        if (!has(expected)) {
            put(new java.io.ByteArrayInputStream(bytes), expected, bytes.length);
        }
    }

    /** Stores {@code document}'s raw bytes and returns its descriptor. */
    public Descriptor putDocument(Parsed<?> document, MediaType mediaType) throws IOException {
        putBytes(document.bytes(), document.digest());
        return document.descriptor(mediaType);
    }

    @Override
    public boolean has(Digest digest) {
        return blobs.has(digest);
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        try {
            return blobs.open(digest);
        } catch (BlobNotFoundException e) {
            throw new BlobNotFoundException(digest, "OCI layout " + dir);
        }
    }

    @Override
    public Digest put(InputStream content, Digest expected, long expectedSize) throws IOException {
        return blobs.put(content, expected, expectedSize);
    }

    @Override
    public BlobWriter newWriter(String algorithm) {
        return blobs.newWriter(algorithm);
    }

    @Override
    public long size(Digest digest) throws IOException {
        return blobs.size(digest);
    }

    @Override
    public Optional<Path> path(Digest digest) {
        return blobs.path(digest);
    }
}
