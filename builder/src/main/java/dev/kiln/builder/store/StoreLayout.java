package dev.kiln.builder.store;

import dev.kiln.oci.Digest;
import dev.kiln.runtime.IdMapping;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where everything lives in a store ({@code $KILN_ROOT}): the one place that names the store's
 * files and directories. Stores written by earlier kilns have exactly this layout, so a name
 * changed here strands their data.
 *
 * <pre>
 * blobs/&lt;alg&gt;/&lt;hex&gt;            content-addressed blobs (oci-spec's DirBlobStore; its temp files in blobs/.tmp)
 * images.json                  image names → manifests ({@link ImageIndex}), rewritten under images.lock
 * gc.lock                      held shared by every {@link LocalStore#session() session}, exclusive by gc
 * layers/&lt;diffID hex&gt;          a layer extracted in overlay format (snapshot's LayerDirs)
 * layers/&lt;diffID hex&gt;-subuidN  the same, extracted by real root over its subordinate range from N ({@link #OWNER_FORM})
 * layers/&lt;diffID hex&gt;.listing  its file listing (snapshot's LayerFiles)
 * cache/                       build cache entries (cache's BuildCache owns what is inside)
 * cache-mounts/                RUN --mount=type=cache directories (engine's CacheMounts owns what is inside)
 * tmp/                         scratch: builds' work dirs, RUN upper dirs, outputs being written, temp files
 * </pre>
 *
 * Anything else under {@code layers/} (an extraction cut short, under a temp name) is a leftover.
 */
public record StoreLayout(Path root) {
    private static final String LISTING = ".listing";
    private static final Pattern LAYER_ENTRY = Pattern.compile(
            "([0-9a-f]{64})(" + Pattern.quote(LISTING) + "|-subuid\\d+)?");

    /**
     * Appended to the names of what holds files with owners on disk (extracted layers, cache
     * mount directories) when kiln is real root over its subordinate range (docs/security.md,
     * "userns as real root"): their files belong to subordinate ids on disk, those of root without
     * a range to host ids, and neither form works for the other, so both live in one store side by
     * side. Empty in every other case.
     */
    public static final String OWNER_FORM = ownerForm();

    private static String ownerForm() {
        try {
            IdMapping mapping = IdMapping.current();
            if (!mapping.mapsHostRootAside()) {
                return "";
            }
            return mapping.uids().stream().filter(r -> r.inside() == 0).findFirst()
                    .map(r -> "-subuid" + r.outside()).orElse("");
        } catch (RuntimeException e) {
            return ""; // no /proc: not Linux
        }
    }

    public StoreLayout {
        root = root.toAbsolutePath().normalize();
    }

    /** The content store's directory: {@code blobs/<algorithm>/<hex>}. */
    public Path blobs() {
        return root.resolve("blobs");
    }

    /** The image index: image names and the manifests they name. */
    public Path imageIndex() {
        return root.resolve("images.json");
    }

    /** Held exclusively while the image index is rewritten. */
    public Path imageIndexLock() {
        return root.resolve("images.lock");
    }

    /** Held shared by every process using the store, exclusively by garbage collection. */
    public Path gcLock() {
        return root.resolve("gc.lock");
    }

    /** Extracted layers and their listings. */
    public Path layers() {
        return root.resolve("layers");
    }

    /** The directory a layer is extracted into, named by its diff ID (and {@link #OWNER_FORM}). */
    public Path layerDir(Digest diffId) {
        return layers().resolve(diffId.hex() + OWNER_FORM);
    }

    /** The saved listing of a layer's files, beside its directory. */
    public Path layerListing(Digest diffId) {
        return layers().resolve(diffId.hex() + LISTING);
    }

    /** What an entry of {@link #layers()} is by its name: a layer's directory or its listing. */
    public record LayerEntry(String diffIdHex, boolean listing) {}

    /** The layer {@code entry} (a path in {@link #layers()}) belongs to; empty for anything else. */
    public static Optional<LayerEntry> layerEntry(Path entry) {
        Matcher m = LAYER_ENTRY.matcher(entry.getFileName().toString());
        return m.matches() ? Optional.of(new LayerEntry(m.group(1), LISTING.equals(m.group(2)))) : Optional.empty();
    }

    /** The build cache's directory. */
    public Path cache() {
        return root.resolve("cache");
    }

    /** The persistent directories of {@code RUN --mount=type=cache}. */
    public Path cacheMounts() {
        return root.resolve("cache-mounts");
    }

    /**
     * The isolation probe's answers remembered for this store's upper dirs (runtime's
     * {@code ProbeMemo}), one file each; deleting them only costs the next RUN a probe.
     */
    public Path probeMemos() {
        return root.resolve("probes");
    }

    /**
     * Scratch space on the store's file system (so that results can be renamed into place): builds'
     * work dirs, RUN upper dirs, outputs being written. Nothing in it outlives its process; prune
     * empties it.
     */

    public Path tmp() {
        return root.resolve("tmp");
    }
}
