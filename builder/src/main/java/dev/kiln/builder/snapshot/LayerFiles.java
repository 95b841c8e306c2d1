package dev.kiln.builder.snapshot;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.oci.layer.DiffIdCheck;
import dev.kiln.oci.layer.TarReader;
import dev.kiln.oci.layer.Whiteouts;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * What a stack of layer blobs holds, read from the tars themselves (no extraction): which paths
 * exist with which type, and the bytes of a few small files kiln needs to read ({@code /etc/passwd},
 * {@code /etc/group}). Whiteouts and opaque markers of upper layers hide lower entries (read by
 * oci-spec's {@link Whiteouts}; names cleaned by {@link ImagePaths}, not refused: a hostile name is
 * refused where the layer is extracted). Each layer
 * is read at most once per build (the listing is kept by diff ID).
 */
public final class LayerFiles {
    /** Files whose bytes are kept while scanning. */
    static final Set<String> KEPT = Set.of("etc/passwd", "etc/group");
    private static final int KEPT_LIMIT = 1 << 20;

    /** One path of a layer. {@code content} is set only for {@link #KEPT} files. */
    public record Node(char type, String linkTarget, int mode, int uid, int gid, long mtimeMillis, byte[] content) {
        public boolean isDirectory() {
            return type == 'd';
        }
    }

    /** One layer's entries by path, with its whiteouts and opaque dirs. */
    private record Listing(Map<String, Node> entries, List<String> whiteouts, List<String> opaqueDirs) {}

    private final BlobSource blobs;
    private final StoreLayout saved;
    private final Map<Digest, Listing> listings = new ConcurrentHashMap<>();

    /**
     * @param saved the store whose {@link StoreLayout#layerListing layer listings} are kept between
     *              builds, or null; a listing is a small binary file, so a rebuild never reads a big
     *              base layer again
     */
    public LayerFiles(BlobSource blobs, StoreLayout saved) {
        this.blobs = blobs;
        this.saved = saved;
    }

    /** The merged view of {@code layers} (base first). */
    public View view(List<LayerBlob> layers) {
        TreeMap<String, Node> merged = new TreeMap<>();
        for (LayerBlob layer : layers) {
            Listing l = listings.computeIfAbsent(layer.diffId(), d -> load(layer));
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

    private Listing load(LayerBlob layer) {
        Path file = saved == null ? null : saved.layerListing(layer.diffId());
        if (file != null && Files.isRegularFile(file)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                return readListing(in);
            } catch (IOException | RuntimeException e) {
                System.getLogger(LayerFiles.class.getName()).log(System.Logger.Level.DEBUG,
                        "ignoring listing {0}: {1}", file, e.toString());
            }
        }
        Listing l = read(layer);
        if (file != null) {
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    writeListing(l, out);
                }
                AtomicFiles.write(file, bytes.toByteArray(), saved.layers());
            } catch (IOException e) {
                System.getLogger(LayerFiles.class.getName()).log(System.Logger.Level.DEBUG,
                        "cannot save listing {0}: {1}", file, e.toString());
            }
        }
        return l;
    }

    /** 2: names in {@link FileNames} text form (version 1 read them in the JVM's default charset). */
    private static final int LISTING_VERSION = 2;

    private static void writeListing(Listing l, DataOutputStream out) throws IOException {
        out.writeInt(LISTING_VERSION);
        out.writeInt(l.entries().size());
        for (Map.Entry<String, Node> e : l.entries().entrySet()) {
            Node n = e.getValue();
            out.writeUTF(e.getKey());
            out.writeChar(n.type());
            out.writeUTF(n.linkTarget() == null ? "" : n.linkTarget());
            out.writeInt(n.mode());
            out.writeInt(n.uid());
            out.writeInt(n.gid());
            out.writeLong(n.mtimeMillis());
            out.writeInt(n.content() == null ? -1 : n.content().length);
            if (n.content() != null) {
                out.write(n.content());
            }
        }
        for (List<String> list : List.of(l.whiteouts(), l.opaqueDirs())) {
            out.writeInt(list.size());
            for (String p : list) {
                out.writeUTF(p);
            }
        }
    }

    private static Listing readListing(DataInputStream in) throws IOException {
        if (in.readInt() != LISTING_VERSION) {
            throw new IOException("unknown listing version");
        }
        Map<String, Node> entries = new TreeMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String path = in.readUTF();
            char type = in.readChar();
            String link = in.readUTF();
            int mode = in.readInt();
            int uid = in.readInt();
            int gid = in.readInt();
            long mtime = in.readLong();
            int len = in.readInt();
            byte[] content = len < 0 ? null : in.readNBytes(len);
            entries.put(path, new Node(type, link.isEmpty() ? null : link, mode, uid, gid, mtime, content));
        }
        List<List<String>> lists = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            List<String> list = new ArrayList<>();
            int m = in.readInt();
            for (int i = 0; i < m; i++) {
                list.add(in.readUTF());
            }
            lists.add(list);
        }
        return new Listing(entries, lists.get(0), lists.get(1));
    }

    private Listing read(LayerBlob layer) {
        Map<String, Node> entries = new TreeMap<>();
        List<String> whiteouts = new ArrayList<>();
        List<String> opaque = new ArrayList<>();
        try (InputStream raw = blobs.open(layer.descriptor().digest())) {
            DiffIdCheck check = DiffIdCheck.of(raw, layer.descriptor().digest(), layer.diffId());
            TarReader tar = new TarReader(check.stream());
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String path = ImagePaths.relative(e.getName());
                if (path.isEmpty()) {
                    continue;
                }
                int slash = path.lastIndexOf('/');
                String base = path.substring(slash + 1);
                String dir = slash < 0 ? "" : path.substring(0, slash);
                if (Whiteouts.isOpaque(base)) {
                    opaque.add(dir);
                    continue;
                }
                if (Whiteouts.isWhiteout(base)) {
                    whiteouts.add(Whiteouts.deletedPath(dir, base));
                    continue;
                }
                char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isLink() ? 'h' : 'f';
                byte[] content = null;
                if (KEPT.contains(path) && e.isFile() && e.getSize() < KEPT_LIMIT) {
                    content = tar.readAllBytes();
                }
                entries.put(path, new Node(type, e.getLinkName(), e.getMode() & 07777, (int) e.getLongUserId(),
                        (int) e.getLongGroupId(), e.getModTime().getTime(), content));
            }
            check.finish();
        } catch (IOException ex) {
            throw new KilnException("cannot read layer " + layer.descriptor().digest() + ": " + ex.getMessage(), ex);
        }
        return new Listing(entries, whiteouts, opaque);
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
