package dev.kiln.builder.snapshot;

import dev.kiln.builder.store.CrashPoint;
import dev.kiln.oci.Compression;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.layer.FileReads;
import dev.kiln.oci.layer.LayerEntry;
import dev.kiln.oci.layer.LayerResult;
import dev.kiln.oci.layer.LayerWriter;
import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.oci.layout.BlobStore;
import dev.kiln.oci.files.FileNames;
import dev.kiln.runtime.OwnerTags;
import dev.kiln.runtime.linux.NativeFileReads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Makes layer blobs from directories with oci-spec's deterministic {@link LayerWriter}: overlay
 * whiteouts and opaque markers become OCI's, overlay's own xattrs are dropped, mtimes are clamped
 * to {@code SOURCE_DATE_EPOCH} when set, and owners come from {@link SnapshotOptions} where kiln
 * could not set them on disk. The same tree and options give the same digests.
 */
public final class Snapshotter {
    private static final System.Logger LOG = System.getLogger(Snapshotter.class.getName());
    private final BlobStore store;
    private FileReads reads;

    /** @param store where layer blobs go */
    public Snapshotter(BlobStore store) {
        this.store = store;
    }

    /**
     * How the scans read each entry: natively when libc loads (a build without a snapshot never
     * loads it), else through java.nio; the same answers either way.
     */
    private synchronized FileReads reads() {
        if (reads == null) {
            reads = NativeFileReads.load().orElse(FileReads.JAVA);
        }
        return reads;
    }

    /** Writes the tree under {@code dir} as one layer and stores it. */
    public LayerBlob snapshot(Path dir, SnapshotOptions options) {
        if (options.compression() == Compression.ZSTD && !Compression.zstdAvailable()) {
            throw new KilnException("zstd compression is not available in this kiln",
                    "use --compression gzip, or put com.github.luben:zstd-jni on the class path", null);
        }
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(options.compression())
                .withClampMtime(options.clampTime()).withOverlayWhiteouts(true), reads());
        try {
            long start = System.nanoTime();
            CrashPoint.reached("snapshot");
            LayerWriter.Scanned s = writer.writeDirectory(dir, new Owners(dir, options), store);
            LayerResult r = s.result();
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(
                    "layer %s: %d entries, %d bytes of tar, %d compressed; scan %d ms, scan and write %d ms",
                    r.descriptor().digest(), r.entries(), r.uncompressedSize(), r.descriptor().size(),
                    s.scanNanos() / 1_000_000, (System.nanoTime() - start) / 1_000_000));
            return new LayerBlob(r.descriptor(), r.diffId());
        } catch (IOException e) {
            throw new KilnException("cannot write a layer from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Each entry's owner (entries come in layer order), first found: {@link SnapshotOptions#owners()};
     * an {@link OwnerTags} tag
     * (a RUN's recorded chown, or a base layer's owner the disk could not take); for a new file
     * made by a RUN that pretended to be another user, that user; for a new file that replaced one
     * of the layers below, that file's owner ({@link SnapshotOptions#replacedOwners()});
     * the disk, with
     * kiln's own ids as root when {@link SnapshotOptions#mapOwnUidToRoot()}. A hardlink gets its
     * target's owner (they are one inode). Tags never reach the layer.
     */
    private static final class Owners implements UnaryOperator<LayerEntry> {
        private final Path dir;
        private final SnapshotOptions options;
        private final Map<String, Map<String, byte[]>> dirXattrs = new HashMap<>();
        private final Map<String, Owner> decided = new HashMap<>();

        Owners(Path dir, SnapshotOptions options) {
            this.dir = dir;
            this.options = options;
            dirXattrs.put("", rootXattrs(dir));
        }

        @Override
        public LayerEntry apply(LayerEntry e) {
            if (e.type() == LayerEntry.Type.DIRECTORY) {
                dirXattrs.put(e.path(), e.xattrs());
            }
            Owner o = options.owners().get(e.path());
            if (o == null && e.type() == LayerEntry.Type.HARDLINK) {
                o = decided.get(e.linkTarget());
            }
            if (o == null) {
                o = tagged(e, dir, dirXattrs);
            }
            if (o == null && options.createdBy() != null && (e.type() == LayerEntry.Type.FILE
                    || e.type() == LayerEntry.Type.DIRECTORY) && !isCopyUp(dir, e.path())) {
                o = options.createdBy();
            }
            if (o == null && e.type() == LayerEntry.Type.FILE && options.replacedOwners() != null) {
                o = options.replacedOwners().apply(e.path()).filter(l -> !l.equals(Owner.ROOT))
                        .filter(l -> !isCopyUp(dir, e.path())).orElse(null);
            }
            if (o == null && options.mapOwnUidToRoot()) {
                o = new Owner(e.uid() == ProcessIds.uid() ? 0 : e.uid(), e.gid() == ProcessIds.gid() ? 0 : e.gid());
            }
            Map<String, byte[]> xattrs = withoutTags(e.xattrs());
            if (o == null) {
                o = new Owner(e.uid(), e.gid());
            }
            decided.put(e.path(), o);
            if (o.uid() == e.uid() && o.gid() == e.gid() && xattrs == e.xattrs()) {
                return e;
            }
            return new LayerEntry(e.path(), e.type(), e.mode(), o.uid(), o.gid(), e.mtime(), e.size(), e.content(),
                    e.linkTarget(), e.devMajor(), e.devMinor(), xattrs);
        }
    }

    /** Whether overlay copied {@code path} up from a lower layer: the file changed in place, not a new one. */
    private static boolean isCopyUp(Path dir, String path) {
        return OverlayMarkers.isCopyUp(FileNames.resolve(dir, path));
    }

    private static Owner tagged(LayerEntry e, Path dir, Map<String, Map<String, byte[]>> dirXattrs) {
        Optional<OwnerTags.Ids> ids;
        if (e.type() == LayerEntry.Type.SYMLINK) {
            int slash = e.path().lastIndexOf('/');
            Map<String, byte[]> parent = dirXattrs.get(slash < 0 ? "" : e.path().substring(0, slash));
            ids = parent == null || parent.isEmpty() ? Optional.empty()
                    : OwnerTags.findLink(parent, FileNames.encode(e.path().substring(slash + 1)), inode(dir, e.path()));
        } else {
            ids = OwnerTags.find(e.xattrs());
        }
        return ids.map(i -> new Owner(i.uid(), i.gid())).orElse(null);
    }

    private static long inode(Path dir, String path) {
        try {
            return (Long) Files.getAttribute(FileNames.resolve(dir, path), "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Map<String, byte[]> withoutTags(Map<String, byte[]> xattrs) {
        if (xattrs.isEmpty() || xattrs.keySet().stream().noneMatch(OwnerTags::isTag)) {
            return xattrs;
        }
        Map<String, byte[]> kept = new TreeMap<>(xattrs);
        kept.keySet().removeIf(OwnerTags::isTag);
        return kept;
    }

    /** The {@code user.} xattrs of the layer's top directory, which holds its top-level symlinks' tags. */
    private static Map<String, byte[]> rootXattrs(Path dir) {
        Map<String, byte[]> out = new HashMap<>();
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
            if (view != null) {
                for (String name : view.list()) {
                    if (OwnerTags.isTag("user." + name)) {
                        ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                        view.read(name, buf);
                        out.put("user." + name, buf.array());
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no tags
        }
        return out;
    }
}
