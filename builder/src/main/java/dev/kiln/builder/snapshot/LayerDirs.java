package dev.kiln.builder.snapshot;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.DiffIdCheck;
import dev.kiln.oci.layer.DiffIdMismatchException;
import dev.kiln.oci.layer.JavaFileOps;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.runtime.OverlayWhiteouts;
import dev.kiln.runtime.OwnerTags;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The extracted-layer store: each layer unpacked once, in overlay format, into
 * the store's {@link StoreLayout#layerDir layer directory}, and reused as an overlay lower dir by every later RUN.
 * A layer is extracted into a private temp dir, its diff ID verified in the same pass, and renamed
 * into place, so a directory that exists is complete and is what its name says; two processes
 * racing keep the first. A layer whose content is not its diff ID leaves nothing behind. The same
 * pass saves the layer's {@link LayerListing} (when the store has none), so {@link LayerFiles}
 * need not read the blob again.
 */
public final class LayerDirs {
    private final StoreLayout store;
    private final Path root;
    private final BlobSource blobs;

    public LayerDirs(StoreLayout store, BlobSource blobs) {
        this.store = store;
        this.root = store.layers();
        this.blobs = blobs;
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
            Files.createDirectories(root);
            tmp = Files.createTempDirectory(root, ".extract-");
            // owners the namespace cannot map (only root is) become OwnerTags, which a RUN's copy-up keeps
            LayerExtractor extractor = new LayerExtractor(LayerExtractor.Options.defaults()
                    .withWhiteouts(new OverlayWhiteouts()).withApplyOwnership(ProcessIds.isRoot())
                    .withFileOps(OwnerTags.extraction(new JavaFileOps())));
            LayerListing.Builder listing = new LayerListing.Builder();
            try (InputStream in = blobs.open(layer.descriptor().digest());
                    DiffIdCheck check = DiffIdCheck.readingAhead(in, layer.descriptor().digest(), layer.diffId())) {
                extractor.extract(check.stream(), tmp, listing);
                check.finish();
            }
            Path listingFile = store.layerListing(layer.diffId());
            if (!Files.isRegularFile(listingFile)) {
                listing.build().save(listingFile, root);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDir(root);
            } catch (FileSystemException raced) {
                // rename(2) fails with ENOTEMPTY (which Java reports as a plain FileSystemException)
                // when another build extracted the same layer first: keep theirs
                FileTrees.deleteQuietly(tmp);
                if (!Files.isDirectory(dir)) {
                    throw raced;
                }
            }
            return dir;
        } catch (DiffIdMismatchException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw new KilnException("cannot extract layer " + layer.descriptor().digest() + " into " + root + ": "
                    + e.getMessage(), e);
        }
    }
}
