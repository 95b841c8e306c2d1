package dev.kiln.builder.snapshot;

import dev.kiln.builder.store.CrashPoint;
import dev.kiln.oci.Compression;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.layer.LayerEntry;
import dev.kiln.oci.layer.LayerResult;
import dev.kiln.oci.layer.LayerWriter;
import dev.kiln.oci.layout.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes layer blobs from directories with oci-spec's deterministic {@link LayerWriter}: overlay
 * whiteouts and opaque markers become OCI's, overlay's own xattrs are dropped, mtimes are clamped
 * to {@code SOURCE_DATE_EPOCH} when set, and owners come from {@link SnapshotOptions} where kiln
 * could not set them on disk. The same tree and options give the same digests.
 */
public final class Snapshotter {
    private static final System.Logger LOG = System.getLogger(Snapshotter.class.getName());
    private final BlobStore store;

    /** @param store where layer blobs go */
    public Snapshotter(BlobStore store) {
        this.store = store;
    }

    /** Writes the tree under {@code dir} as one layer and stores it. */
    public LayerBlob snapshot(Path dir, SnapshotOptions options) {
        if (options.compression() == Compression.ZSTD && !Compression.zstdAvailable()) {
            throw new KilnException("zstd compression is not available in this kiln",
                    "use --compression gzip, or put com.github.luben:zstd-jni on the class path", null);
        }
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(options.compression())
                .withClampMtime(options.clampTime()).withOverlayWhiteouts(true));
        try {
            long start = System.nanoTime();
            List<LayerEntry> entries = writer.scan(dir).stream().map(e -> owned(e, options)).toList();
            long scanned = System.nanoTime();
            CrashPoint.reached("snapshot");
            LayerResult r = writer.write(entries, store);
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(
                    "layer %s: %d entries, %d bytes of tar, %d compressed; scan %d ms, write %d ms",
                    r.descriptor().digest(), r.entries(), r.uncompressedSize(), r.descriptor().size(),
                    (scanned - start) / 1_000_000, (System.nanoTime() - scanned) / 1_000_000));
            return new LayerBlob(r.descriptor(), r.diffId());
        } catch (IOException e) {
            throw new KilnException("cannot write a layer from " + dir + ": " + e.getMessage(), e);
        }
    }

    private static LayerEntry owned(LayerEntry e, SnapshotOptions options) {
        Owner o = options.owners().get(e.path());
        if (o == null && options.mapOwnUidToRoot()) {
            o = new Owner(e.uid() == ProcessIds.uid() ? 0 : e.uid(), e.gid() == ProcessIds.gid() ? 0 : e.gid());
        }
        if (o == null || (o.uid() == e.uid() && o.gid() == e.gid())) {
            return e;
        }
        return new LayerEntry(e.path(), e.type(), e.mode(), o.uid(), o.gid(), e.mtime(), e.size(), e.content(),
                e.linkTarget(), e.devMajor(), e.devMinor(), e.xattrs());
    }
}
