package dev.kiln.builder.snapshot;

import dev.kiln.builder.registry.LayerTap;
import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.BytePipe;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Threads;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.DiffIdCheck;
import dev.kiln.oci.layer.DiffIdMismatchException;
import dev.kiln.oci.layer.ExtractResult;
import dev.kiln.oci.layer.FileWrites;
import dev.kiln.oci.layer.JavaFileOps;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.runtime.OverlayWhiteouts;
import dev.kiln.runtime.OwnerTags;
import dev.kiln.runtime.linux.NativeFileWrites;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The extracted-layer store: each layer unpacked once, in overlay format, into
 * the store's {@link StoreLayout#layerDir layer directory}, and reused as an overlay lower dir by every later RUN.
 * A layer is extracted into a private temp dir, its diff ID verified in the same pass, and renamed
 * into place, so a directory that exists is complete and is what its name says; two processes
 * racing keep the first. A layer whose content is not its diff ID leaves nothing behind. The same
 * pass saves the layer's {@link LayerListing} (when the store has none), so {@link LayerFiles}
 * need not read the blob again. A pull for a build that will run on the layer extracts it while
 * the blob downloads ({@link #arriving}), under the same rules: nothing is kept before the blob's
 * digest and the layer's diff ID are checked.
 */
public final class LayerDirs {
    private static final System.Logger LOG = System.getLogger(LayerDirs.class.getName());
    /**
     * The bytes of an arriving blob not yet extracted: at most 16 chunks of 64 KiB, so a download
     * faster than its extraction waits for it (and memory stays flat).
     */
    private static final int ARRIVING_CHUNK = 1 << 16;
    private static final int ARRIVING_CHUNKS = 16;
    private final StoreLayout store;
    private final Path root;
    private final BlobSource blobs;
    private final Consumer<Path> placed;

    public LayerDirs(StoreLayout store, BlobSource blobs) {
        this(store, blobs, dir -> {});
    }

    /** @param placed told of each directory this extracted and put in place (not of adopted ones) */
    public LayerDirs(StoreLayout store, BlobSource blobs, Consumer<Path> placed) {
        this.store = store;
        this.root = store.layers();
        this.blobs = blobs;
        this.placed = placed;
    }

    /**
     * Makes {@code upperDir}, a RUN's upper dir just written as {@code layer}, that layer's
     * directory by renaming it into place. It already is the layer in overlay format (whiteouts,
     * opaque dirs, real owners), so extracting the blob again would give the same tree. Only when
     * kiln is root (really or in its namespace, so the owners on disk are the layer's) and the
     * layer has no directory yet; false when not taken.
     */
    public boolean adopt(Path upperDir, LayerBlob layer) {
        Path dir = store.layerDir(layer.diffId());
        if (!ProcessIds.isRoot() || Files.exists(dir)) {
            return false;
        }
        try {
            Files.createDirectories(root);
            Files.move(upperDir, dir, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false; // another file system, or another build was quicker: the caller deletes it
        }
    }

    /** The extracted directory of a layer (blob descriptor and diff ID), extracting it first if needed. */
    public Path dir(Descriptor blob, Digest diffId) {
        return dir(new LayerBlob(blob, diffId));
    }

    public Path dir(LayerBlob layer) {
        Path dir = store.layerDir(layer.diffId());
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path tmp = null;
        try {
            tmp = staging();
            LayerListing.Builder listing = new LayerListing.Builder();
            try (InputStream in = blobs.open(layer.descriptor().digest());
                    DiffIdCheck check = DiffIdCheck.readingAhead(in, layer.descriptor().digest(), layer.diffId())) {
                extractor().extract(check.stream(), tmp, listing);
                check.finish();
            }
            return place(tmp, layer.diffId(), listing.build());
        } catch (DiffIdMismatchException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw new KilnException("cannot extract layer " + layer.descriptor().digest() + " into " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** A pull's {@link LayerTap} that extracts each layer it downloads into its directory ({@link #arriving}). */
    public LayerTap tap() {
        return this::arriving;
    }

    /**
     * Starts extracting the layer blob {@code blob} from its bytes as they arrive (written to the
     * returned {@link Arriving} while the blob downloads), into a private staging directory. What
     * it makes becomes the layer's directory only when {@link Arriving#finish} is given the diff ID
     * the image's config claims and the bytes match it; until then nothing is visible, and a
     * failure or {@link Arriving#abandon} leaves nothing behind. Null when no staging directory
     * can be made (the layer is then extracted from the store when needed, or that reports why not).
     */
    public Arriving arriving(Descriptor blob) {
        try {
            return new Arriving(blob, staging());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "layer {0} not extracted while it downloads: {1}", blob.digest(),
                    e.toString());
            return null;
        }
    }

    /**
     * One layer extracted while its blob downloads: the downloading thread {@linkplain #write
     * writes} the blob's bytes (not yet verified) and a thread of its own extracts them into the
     * staging directory; {@link #finish} completes it.
     */
    public final class Arriving implements LayerTap.Sink {
        private final BytePipe bytes = new BytePipe(ARRIVING_CHUNK, ARRIVING_CHUNKS);
        private final CompletableFuture<Digest> claimed = new CompletableFuture<>();
        private final Descriptor blob;
        private final Path tmp;
        private final Thread worker;
        private volatile Throwable failure;

        private Arriving(Descriptor blob, Path tmp) {
            this.blob = blob;
            this.tmp = tmp;
            this.worker = new Thread(this::extract, "kiln-layer-extract");
            worker.setDaemon(true);
            worker.start();
        }

        /** The next bytes of the blob; dropped once the extraction has failed or was abandoned. */
        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        /**
         * The blob was stored and verified, all of it written here, and its config claims
         * {@code diffId}: waits for the extraction, checks the diff ID and makes the staging
         * directory the layer's directory. False when the extraction failed or the bytes are not
         * {@code diffId}: nothing is kept, and the layer is extracted from the store when needed
         * (where any error is reported as it always was).
         */
        @Override
        public boolean finish(Digest diffId) {
            bytes.end();
            claimed.complete(diffId);
            if (!await()) {
                return false;
            }
            if (failure != null) {
                LOG.log(System.Logger.Level.DEBUG, "layer {0} not kept from its download: {1}", blob.digest(),
                        failure.toString());
            }
            return failure == null;
        }

        /** Stops the extraction and deletes what it made. */
        @Override
        public void abandon() {
            bytes.abandon();
            claimed.cancel(false);
            await();
        }

        /**
         * Waits for the worker to end; false when this thread was interrupted, which abandons the
         * extraction. Either way the worker has ended when this returns (it stops soon once
         * abandoned: its next read fails), so an abandoned extraction has deleted its staging
         * directory; the interrupt is kept.
         */
        private boolean await() {
            return !Threads.joinUninterruptibly(worker, () -> {
                bytes.abandon();
                claimed.cancel(false);
            });
        }

        private void extract() {
            try {
                long start = System.nanoTime();
                LayerListing.Builder listing = new LayerListing.Builder();
                Digest diffId;
                ExtractResult result;
                long extracted;
                try (DiffIdCheck check = DiffIdCheck.readingAhead(bytes, blob.digest())) {
                    result = extractor().extract(check.stream(), tmp, listing);
                    check.stream().transferTo(OutputStream.nullOutputStream());
                    extracted = System.nanoTime();
                    diffId = claimed.get();
                    check.finish(diffId);
                }
                long claimedAt = System.nanoTime();
                place(tmp, diffId, listing.build());
                LOG.log(System.Logger.Level.DEBUG, "layer {0} extracted while it downloaded: {1} entries in {2} ms, "
                        + "then {3} ms waiting for the pull to verify it, {4} ms to place it", blob.digest().shortHex(),
                        result.entries(), (extracted - start) / 1_000_000, (claimedAt - extracted) / 1_000_000,
                        (System.nanoTime() - claimedAt) / 1_000_000);
            } catch (Throwable t) { // a hostile or broken tar, a mismatch, an abandoned download: nothing is kept
                failure = t;
                bytes.abandon();
                FileTrees.deleteQuietly(tmp);
            }
        }
    }

    private Path staging() throws IOException {
        Files.createDirectories(root);
        return Files.createTempDirectory(root, ".extract-");
    }

    /**
     * Owners the namespace cannot map (only root is) become OwnerTags, which a RUN's copy-up keeps.
     * Files are written through their descriptors where libc loads, by a second thread where that
     * can pay (both thread-safe, as is the owner tagging).
     */
    private static LayerExtractor extractor() {
        return new LayerExtractor(LayerExtractor.Options.defaults()
                .withWhiteouts(new OverlayWhiteouts()).withApplyOwnership(ProcessIds.isRoot())
                .withFileOps(OwnerTags.extraction(new JavaFileOps()))
                .withFileWrites(NativeFileWrites.load().orElse(FileWrites.JAVA)).withWriterThreadWhereItPays());
    }

    /**
     * Makes {@code tmp}, a verified extraction of the layer {@code diffId}, that layer's directory
     * (saving its listing first when the store has none); when another build placed it first,
     * theirs is kept and {@code tmp} deleted.
     */
    private Path place(Path tmp, Digest diffId, LayerListing listing) throws IOException {
        Path dir = store.layerDir(diffId);
        Path listingFile = store.layerListing(diffId);
        if (!Files.isRegularFile(listingFile)) {
            listing.save(listingFile, root);
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDir(root);
            placed.accept(dir);
        } catch (FileSystemException raced) {
            // rename(2) fails with ENOTEMPTY (which Java reports as a plain FileSystemException)
            // when another build extracted the same layer first: keep theirs
            FileTrees.deleteQuietly(tmp);
            if (!Files.isDirectory(dir)) {
                throw raced;
            }
        }
        return dir;
    }
}
