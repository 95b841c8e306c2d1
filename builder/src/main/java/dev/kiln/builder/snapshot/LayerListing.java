package dev.kiln.builder.snapshot;

import dev.kiln.builder.snapshot.LayerFiles.Node;
import dev.kiln.oci.files.AtomicFiles;
import dev.kiln.oci.files.ImagePaths;
import dev.kiln.oci.layer.EntryListener;
import dev.kiln.oci.layer.Whiteouts;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * What one layer's tar holds: its entries by path, its whiteouts and opaque dirs, and the bytes of
 * the few {@link #KEPT} files. Made from the tar entries as they pass ({@link Builder}, whether the
 * layer is only read or also extracted) and kept in the store as a small binary file, so a layer
 * is read for its listing at most once. Names are cleaned by {@link ImagePaths}, not refused: a
 * hostile name is refused where the layer is extracted.
 */
record LayerListing(Map<String, Node> entries, List<String> whiteouts, List<String> opaqueDirs) {
    /** Files whose bytes are kept while scanning. */
    static final Set<String> KEPT = Set.of("etc/passwd", "etc/group");
    private static final int KEPT_LIMIT = 1 << 20;
    private static final System.Logger LOG = System.getLogger(LayerListing.class.getName());

    /** Collects a listing from tar entries, in tar order: a later entry for a path replaces an earlier. */
    static final class Builder implements EntryListener {
        private final Map<String, Node> entries = new TreeMap<>();
        private final List<String> whiteouts = new ArrayList<>();
        private final List<String> opaque = new ArrayList<>();
        /** The entry whose content is being copied, completed by the next entry or by {@link #build}. */
        private String pendingPath;
        private Node pendingNode;
        private ByteArrayOutputStream pendingContent;

        @Override
        public OutputStream entry(TarArchiveEntry e) {
            completePending();
            String path = ImagePaths.relative(e.getName());
            if (path.isEmpty()) {
                return null;
            }
            int slash = path.lastIndexOf('/');
            String base = path.substring(slash + 1);
            String dir = slash < 0 ? "" : path.substring(0, slash);
            if (Whiteouts.isOpaque(base)) {
                opaque.add(dir);
                return null;
            }
            if (Whiteouts.isWhiteout(base)) {
                whiteouts.add(Whiteouts.deletedPath(dir, base));
                return null;
            }
            char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isLink() ? 'h' : 'f';
            Node node = new Node(type, e.getLinkName(), e.getMode() & 07777, (int) e.getLongUserId(),
                    (int) e.getLongGroupId(), e.getModTime().getTime(), null);
            if (KEPT.contains(path) && e.isFile() && e.getSize() < KEPT_LIMIT) {
                pendingPath = path;
                pendingNode = node;
                pendingContent = new ByteArrayOutputStream((int) e.getSize());
                return pendingContent;
            }
            entries.put(path, node);
            return null;
        }

        private void completePending() {
            if (pendingPath != null) {
                Node n = pendingNode;
                entries.put(pendingPath, new Node(n.type(), n.linkTarget(), n.mode(), n.uid(), n.gid(),
                        n.mtimeMillis(), pendingContent.toByteArray()));
                pendingPath = null;
            }
        }

        LayerListing build() {
            completePending();
            return new LayerListing(entries, whiteouts, opaque);
        }
    }

    /** 2: names in {@link dev.kiln.oci.files.FileNames} text form (version 1 read them in the JVM's default charset). */
    private static final int VERSION = 2;

    /** The listing saved in {@code file}; empty when there is none or it cannot be read (it is then made again). */
    static Optional<LayerListing> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return Optional.of(read(in));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring listing {0}: {1}", file, e.toString());
            return Optional.empty();
        }
    }

    /** Saves this listing as {@code file} (atomically, through {@code tmpDir}); a failure only costs a later re-read. */
    void save(Path file, Path tmpDir) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                write(out);
            }
            AtomicFiles.write(file, bytes.toByteArray(), tmpDir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot save listing {0}: {1}", file, e.toString());
        }
    }

    private void write(DataOutputStream out) throws IOException {
        out.writeInt(VERSION);
        out.writeInt(entries.size());
        for (Map.Entry<String, Node> e : entries.entrySet()) {
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
        for (List<String> list : List.of(whiteouts, opaqueDirs)) {
            out.writeInt(list.size());
            for (String p : list) {
                out.writeUTF(p);
            }
        }
    }

    private static LayerListing read(DataInputStream in) throws IOException {
        if (in.readInt() != VERSION) {
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
        return new LayerListing(entries, lists.get(0), lists.get(1));
    }
}
