package dev.kiln.builder.snapshot;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.oci.layer.DiffIdCheck;
import dev.kiln.oci.layer.TarReader;
import dev.kiln.oci.layer.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * What a stack of layer blobs holds, from each layer's {@link LayerListing} (made while
 * {@link LayerDirs} extracted the layer, or here by reading the tar without extracting): which paths
 * exist with which type, and the bytes of a few small files kiln needs to read ({@code /etc/passwd},
 * {@code /etc/group}). Whiteouts and opaque markers of upper layers hide lower entries (read by
 * oci-spec's {@link Whiteouts}). Each layer is read at most once per build (the listing is kept by
 * diff ID, and in the store between builds).
 */
public final class LayerFiles {
    /** One path of a layer. {@code content} is set only for {@link LayerListing#KEPT} files. */
    public record Node(char type, String linkTarget, int mode, int uid, int gid, long mtimeMillis, byte[] content) {
        public boolean isDirectory() {
            return type == 'd';
        }
    }

    private final BlobSource blobs;
    private final StoreLayout saved;
    private final Map<Digest, LayerListing> listings = new ConcurrentHashMap<>();

    /**
     * @param saved the store whose {@link StoreLayout#layerListing layer listings} are kept between
     *              builds, or null; a listing is a small binary file, so a rebuild never reads a big
     *              base layer again
     */
    public LayerFiles(BlobSource blobs, StoreLayout saved) {
        this.blobs = blobs;
        this.saved = saved;
    }

    /**
     * Whether every one of {@code layers} has a listing already (made in this build or saved in
     * the store), so {@link #view} reads no blob.
     */
    public boolean listed(List<LayerBlob> layers) {
        return layers.stream().allMatch(l -> listings.containsKey(l.diffId())
                || saved != null && Files.isRegularFile(saved.layerListing(l.diffId())));
    }

    /** The merged view of {@code layers} (base first). */
    public View view(List<LayerBlob> layers) {
        TreeMap<String, Node> merged = new TreeMap<>();
        for (LayerBlob layer : layers) {
            LayerListing l = listings.computeIfAbsent(layer.diffId(), d -> load(layer));
            for (String dir : l.opaqueDirs()) {
                merged.subMap(dir + "/", dir + "0").clear();
            }
            for (String gone : l.whiteouts()) {
                merged.remove(gone);
                merged.subMap(gone + "/", gone + "0").clear();
            }
            merged.putAll(l.entries());
        }
        return new View(merged);
    }

    private LayerListing load(LayerBlob layer) {
        Path file = saved == null ? null : saved.layerListing(layer.diffId());
        Optional<LayerListing> kept = file == null ? Optional.empty() : LayerListing.load(file);
        if (kept.isPresent()) {
            return kept.get();
        }
        LayerListing l = read(layer);
        if (file != null) {
            l.save(file, saved.layers());
        }
        return l;
    }

    private LayerListing read(LayerBlob layer) {
        LayerListing.Builder listing = new LayerListing.Builder();
        try (InputStream raw = blobs.open(layer.descriptor().digest());
                DiffIdCheck check = DiffIdCheck.of(raw, layer.descriptor().digest(), layer.diffId())) {
            TarReader tar = new TarReader(check.stream());
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                OutputStream copy = listing.entry(e);
                if (copy != null) {
                    tar.transferTo(copy);
                }
            }
            check.finish();
        } catch (IOException ex) {
            throw new KilnException("cannot read layer " + layer.descriptor().digest() + ": " + ex.getMessage(), ex);
        }
        return listing.build();
    }

    /** A merged filesystem view; paths are relative ({@code etc/passwd}). */
    public static final class View {
        /** The empty filesystem. */
        public static final View EMPTY = new View(new TreeMap<>());

        private final TreeMap<String, Node> nodes;

        View(TreeMap<String, Node> nodes) {
            this.nodes = nodes;
        }

        /** The node at {@code path} (relative or absolute), following symlinks of its parents. */
        public Optional<Node> get(String path) {
            return Optional.ofNullable(nodes.get(resolve(ImagePaths.relative("/" + path), 0)));
        }

        /** The node at {@code path} itself (a symlink is not followed; its parents are). */
        public Optional<Node> getNoFollow(String path) {
            String rel = ImagePaths.relative("/" + path);
            int slash = rel.lastIndexOf('/');
            String parent = slash < 0 ? "" : resolve(rel.substring(0, slash), 0);
            String name = rel.substring(slash + 1);
            return Optional.ofNullable(nodes.get(parent.isEmpty() ? name : parent + "/" + name));
        }

        /** {@code path} (relative) with every symlink on the way resolved inside the root. */
        public String realPath(String path) {
            return resolve(ImagePaths.relative("/" + path), 0);
        }

        public boolean isDirectory(String path) {
            return get(path).map(Node::isDirectory).orElse(false);
        }

        public Optional<byte[]> content(String path) {
            return get(path).map(Node::content);
        }

        /** {@code path} with symlinks resolved inside the root (at most 40 hops). */
        private String resolve(String path, int depth) {
            if (depth > 40 || path.isEmpty()) {
                return path;
            }
            String[] parts = path.split("/");
            String current = "";
            for (int i = 0; i < parts.length; i++) {
                String next = current.isEmpty() ? parts[i] : current + "/" + parts[i];
                Node n = nodes.get(next);
                if (n != null && n.type() == 'l') {
                    String target = n.linkTarget();
                    String base = current.isEmpty() ? "/" : "/" + current;
                    String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length));
                    String joined = ImagePaths.resolve(base, target) + (rest.isEmpty() ? "" : "/" + rest);
                    return resolve(ImagePaths.relative(joined), depth + 1);
                }
                current = next;
            }
            return current;
        }
    }
}
