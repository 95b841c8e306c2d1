package dev.kiln.builder.store;

import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.layout.BlobStore;
import dev.kiln.oci.layout.BlobWriter;
import dev.kiln.oci.layout.DirBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local store, laid out as {@link StoreLayout} says: blobs (oci-spec's {@link DirBlobStore}: content-addressed,
 * verified on write and on read, flushed before it is renamed into place), the image index (name → manifest), and lock files. Several kiln
 * processes may use one store at once: blob writes are atomic renames of private temp files, the
 * image index is rewritten under an exclusive file lock, and garbage collection runs only when no
 * other process holds a {@link #session() session}.
 */
public final class LocalStore implements BlobStore {
    private static final System.Logger LOG = System.getLogger(LocalStore.class.getName());
    private static final Map<Path, int[]> SESSIONS = new HashMap<>();
    private static final Map<Path, StoreLock> SESSION_LOCKS = new HashMap<>();

    private final Path root;
    private final StoreLayout layout;
    private final DirBlobStore blobs;
    private final ImageIndex index;
    private volatile boolean privateChecked;

    public LocalStore(Path root) {
        this.layout = new StoreLayout(root);
        this.root = layout.root();
        this.blobs = new DirBlobStore(layout.blobs(), true);
        this.index = new ImageIndex(layout);
    }

    public Path root() {
        return root;
    }

    /** Where the store keeps what. */
    public StoreLayout layout() {
        return layout;
    }

    private Path ensureDirs() {
        try {
            if (!privateChecked) {
                PrivateDirs.restrict(root);
                privateChecked = true;
            }
            Files.createDirectories(layout.blobs());
            Files.createDirectories(layout.tmp());
            return root;
        } catch (IOException e) {
            throw new KilnException("cannot create the store at " + root + ": " + e.getMessage(),
                    "set --root or $KILN_ROOT to a directory this user can write", e);
        }
    }

    // --- blobs: one content store, oci-spec's DirBlobStore ------------------------------------------

    /** The content store under {@code blobs/}. */
    public DirBlobStore blobs() {
        return blobs;
    }

    public Path blobPath(Digest digest) {
        return blobs.file(digest);
    }

    public boolean hasBlob(Digest digest) {
        return blobs.has(digest);
    }

    /** Whether the blob is present and whole (its size is the descriptor's); a damaged one is removed. */
    public boolean hasBlob(Descriptor d) {
        return blobs.has(d.digest(), d.size());
    }

    public long blobSize(Digest digest) {
        try {
            return blobs.size(digest);
        } catch (IOException e) {
            throw missing(digest);
        }
    }

    /** The blob's bytes, verified against its digest as they are read. */
    public InputStream openBlob(Digest digest) {
        try {
            return blobs.open(digest);
        } catch (BlobNotFoundException e) {
            throw missing(digest);
        } catch (IOException e) {
            throw new KilnException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    public byte[] readBlob(Digest digest) {
        try (InputStream in = openBlob(digest)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new KilnException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    private KilnException missing(Digest digest) {
        return new KilnException("blob " + digest + " is not in the store at " + root,
                "pull the image again", null);
    }

    /** A writer for a new blob hashed with {@code algorithm}; commit it or close it. */
    @Override
    public BlobWriter newWriter(String algorithm) {
        ensureDirs();
        return blobs.newWriter(algorithm);
    }

    /** Stores bytes (e.g. a manifest) verified against {@code expected}, or hashed with sha256 if null. */
    public Digest putBytes(byte[] bytes, Digest expected, String what) {
        if (expected != null && blobs.has(expected, bytes.length)) {
            return expected;
        }
        try (BlobWriter w = newWriter(expected == null ? Digest.SHA256 : expected.algorithm())) {
            w.write(bytes);
            return w.commit(what, expected, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams a blob in, verifying it; does nothing if it is already present. */
    public void putBlob(Descriptor d, InputStream in, String what) {
        if (hasBlob(d)) {
            return;
        }
        try (BlobWriter w = newWriter(d.digest().algorithm())) {
            in.transferTo(w);
            w.commit(what, d.digest(), d.size());
        } catch (IOException e) {
            throw new KilnException("cannot store " + what + ": " + e.getMessage(), e);
        }
    }

    public RawManifest readManifest(Digest digest, MediaType mediaType) {
        return new RawManifest(mediaType, readBlob(digest), digest);
    }

    /** The manifest an image record names. */
    public RawManifest manifest(ImageRecord image) {
        return readManifest(image.manifest(), image.mediaType());
    }

    // BlobStore / BlobSource, so oci-spec's layouts and archives can read and fill the store.

    @Override
    public boolean has(Digest digest) {
        return hasBlob(digest);
    }

    @Override
    public InputStream open(Digest digest) {
        return openBlob(digest);
    }

    @Override
    public Digest put(InputStream content, Digest expected, long expectedSize) throws IOException {
        ensureDirs();
        return blobs.put(content, expected, expectedSize);
    }

    @Override
    public long size(Digest digest) {
        return blobSize(digest);
    }

    @Override
    public Optional<Path> path(Digest digest) {
        return blobs.path(digest);
    }

    /**
     * Copies the tree under {@code root} (an index and its manifests, or one manifest, with configs
     * and layers) from {@code source} into this store, keeping every byte. Manifests of an index that
     * the source lacks are skipped when {@code partial} (e.g. an index pulled for one platform).
     */
    public void importTree(BlobSource source, Descriptor root, boolean partial) throws IOException {
        if (partial && !source.has(root.digest())) {
            return;
        }
        byte[] bytes = source.readAll(root.digest());
        MediaType type = Json.detectMediaType(bytes);
        if (type.isSchema1()) {
            throw Json.schema1();
        }
        if (type.isIndex()) {
            for (Descriptor child : Json.read(bytes, Index.class).manifests()) {
                importTree(source, child, partial);
            }
        } else if (type.isManifest()) {
            Manifest m = Json.read(bytes, Manifest.class);
            copyBlob(source, m.config());
            for (Descriptor layer : m.layers()) {
                if (!layer.mediaType().isNondistributable() || source.has(layer.digest())) {
                    copyBlob(source, layer);
                }
            }
        }
        putBytes(bytes, root.digest(), "manifest " + root.digest());
    }

    private void copyBlob(BlobSource source, Descriptor blob) throws IOException {
        if (!hasBlob(blob)) {
            try (InputStream in = source.open(blob.digest())) {
                put(in, blob.digest(), blob.size());
            }
        }
    }

    /** A fresh private directory under the store's {@code tmp/}; delete it with {@link #deleteTree}. */
    public Path newTempDir(String prefix) {
        ensureDirs();
        try {
            return Files.createTempDirectory(layout.tmp(), prefix);
        } catch (IOException e) {
            throw new KilnException("cannot create a temp dir in " + layout.tmp() + ": " + e.getMessage(), e);
        }
    }

    /** Removes a directory tree; quiet if it is already gone. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove {0}: {1}", dir, e.getMessage());
        }
    }

    // --- images --------------------------------------------------------------------------------

    /** All named images, sorted by name. */
    public List<ImageRecord> images() {
        return new ArrayList<>(index.read().values());
    }

    public Optional<ImageRecord> image(String name) {
        return Optional.ofNullable(index.read().get(name));
    }

    /**
     * The record for naming {@code manifest} (an image manifest whose config and layers are in the
     * store) {@code name}: image ID, created time and size are read from the stored blobs.
     *
     * @param index the index the manifest was chosen from, or null
     */
    public ImageRecord recordFor(String name, RawManifest manifest, Digest index) {
        Manifest m = manifest.manifest().value();
        dev.kiln.oci.ImageConfig config = Json.parseConfig(readBlob(m.config().digest())).value();
        long size = manifest.size() + m.config().size() + m.layers().stream().mapToLong(Descriptor::size).sum();
        return new ImageRecord(name, manifest.digest(), manifest.mediaType(), m.config().digest(),
                config.created(), size, index);
    }

    /**
     * Whether every blob of the image (manifest, config, layers) is here and whole; damaged ones
     * are removed on the way, so that pulling the image again fetches them.
     */
    public boolean isComplete(ImageRecord image) {
        if (!hasBlob(image.manifest())) {
            return false;
        }
        if (image.mediaType().isIndex()) {
            return hasBlob(image.config());
        }
        try {
            Manifest m = manifest(image).manifest().value();
            return hasBlob(m.config()) && m.layers().stream()
                    .allMatch(l -> l.mediaType().isNondistributable() || hasBlob(l));
        } catch (KilnException damaged) {
            LOG.log(Level.INFO, "image {0} is incomplete: {1}", image.name(), damaged.getMessage());
            return false;
        }
    }

    /** Names (or renames) an image; replaces whatever had that name. */
    public void putImage(ImageRecord record) {
        if (!hasBlob(record.manifest()) || !hasBlob(record.config())) {
            throw new KilnException("refusing to name " + record.name() + ": its manifest or config is not in the store");
        }
        ensureDirs();
        index.update(images -> images.put(record.name(), record));
    }

    /** Removes a name; true if it existed. Blobs stay until {@link #gc()}. */
    public boolean removeImage(String name) {
        boolean[] removed = {false};
        ensureDirs();
        index.update(images -> removed[0] = images.remove(name) != null);
        return removed[0];
    }

    // --- sessions and garbage collection ---------------------------------------------------------

    /** An open {@link #session()}; closing it never throws, and closing it again does nothing. */
    public interface Session extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks this process as writing to the store (pulling, loading, building): while any session is
     * open in any process, {@link #gc()} removes nothing.
     */
    public Session session() {
        ensureDirs();
        Path lockFile = layout.gcLock();
        synchronized (SESSIONS) {
            int[] count = SESSIONS.computeIfAbsent(root, r -> new int[1]);
            if (count[0]++ == 0) {
                SESSION_LOCKS.put(root, StoreLock.shared(lockFile));
            }
        }
        boolean[] closed = {false};
        return () -> {
            synchronized (SESSIONS) {
                if (closed[0]) {
                    return;
                }
                closed[0] = true;
                int[] count = SESSIONS.get(root);
                if (--count[0] == 0) {
                    StoreLock l = SESSION_LOCKS.remove(root);
                    if (l != null) {
                        l.close();
                    }
                }
            }
        };
    }

    /**
     * Deletes blobs no named image reaches, and stale temp files.
     *
     * @return the number of blobs removed, or -1 when another kiln is writing and gc was skipped
     */
    public int gc() {
        Optional<Maintenance> maintenance = maintenance();
        if (maintenance.isEmpty()) {
            return -1;
        }
        try (Maintenance m = maintenance.get()) {
            return m.collect(Set.of()).blobs();
        }
    }

    /** What {@link Maintenance#collect} removed: blobs and their bytes. */
    public record Collected(int blobs, long bytes) {}

    /** Exclusive use of the store for removing things; no other kiln pulls, loads or builds meanwhile. */
    public interface Maintenance extends AutoCloseable {
        /**
         * Deletes the blobs that neither a named image reaches nor {@code alsoLive} holds (e.g. the
         * build cache's layers), and stale temp files.
         */
        Collected collect(Set<Digest> alsoLive);

        @Override
        void close();
    }

    /** The store for removing things, or empty while another kiln (or this one) holds a session. */
    public Optional<Maintenance> maintenance() {
        ensureDirs();
        synchronized (SESSIONS) {
            int[] count = SESSIONS.get(root);
            if (count != null && count[0] > 0) {
                return Optional.empty();
            }
            StoreLock lock = StoreLock.tryExclusive(layout.gcLock());
            if (lock == null) {
                LOG.log(Level.INFO, "another kiln is using {0}; not collecting garbage now", root);
                return Optional.empty();
            }
            return Optional.of(new Maintenance() {
                @Override
                public Collected collect(Set<Digest> alsoLive) {
                    Set<Digest> live = new HashSet<>(alsoLive);
                    for (ImageRecord r : images()) {
                        mark(r.manifest(), r.mediaType().isIndex(), live);
                        if (r.index() != null) {
                            live.add(r.index());
                        }
                    }
                    return sweep(live);
                }

                @Override
                public void close() {
                    lock.close();
                }
            });
        }
    }

    private void mark(Digest digest, boolean isIndex, Set<Digest> live) {
        if (!live.add(digest) || !hasBlob(digest)) {
            return;
        }
        byte[] bytes = readBlob(digest);
        if (isIndex) {
            for (Descriptor d : Json.read(bytes, Index.class).manifests()) {
                mark(d.digest(), d.mediaType().isIndex(), live);
            }
        } else {
            Manifest m = Json.read(bytes, Manifest.class);
            live.add(m.config().digest());
            m.layers().forEach(l -> live.add(l.digest()));
        }
    }

    private Collected sweep(Set<Digest> live) {
        int removed = 0;
        long bytes = 0;
        try (Stream<Path> algs = Files.list(layout.blobs())) {
            for (Path alg : algs.filter(a -> !a.getFileName().toString().startsWith("."))
                    .sorted(Comparator.naturalOrder()).toList()) {
                try (Stream<Path> blobs = Files.list(alg)) {
                    for (Path b : blobs.toList()) {
                        Digest d;
                        try {
                            d = new Digest(alg.getFileName().toString(), b.getFileName().toString());
                        } catch (KilnException notABlob) {
                            continue;
                        }
                        if (live.contains(d)) {
                            continue;
                        }
                        long size = Files.size(b);
                        if (Files.deleteIfExists(b)) {
                            removed++;
                            bytes += size;
                        }
                    }
                }
            }
            for (Path tmpDir : List.of(layout.tmp(), blobs.tempDir())) {
                if (Files.isDirectory(tmpDir)) {
                    try (Stream<Path> tmp = Files.list(tmpDir)) {
                        tmp.toList().forEach(LocalStore::deleteTree);
                    }
                }
            }
        } catch (IOException e) {
            throw new KilnException("garbage collection in " + root + " failed: " + e.getMessage(), e);
        }
        return new Collected(removed, bytes);
    }
}
