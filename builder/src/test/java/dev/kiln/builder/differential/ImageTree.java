package dev.kiln.builder.differential;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import dev.kiln.oci.layer.TarReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * An image's merged root filesystem read from its layer tars' headers (not from disk, so owners,
 * setuid bits and devices are the image's own whoever reads it): layers applied in order, OCI
 * whiteouts ({@code .wh.NAME}) and opaque markers ({@code .wh..wh..opq}) removing what lower
 * layers had, hardlinks grouped.
 */
final class ImageTree {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final SortedMap<String, FsEntry> entries;

    private ImageTree(SortedMap<String, FsEntry> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    /** A hand-made tree (for tests of the comparator). */
    static ImageTree of(FsEntry... all) {
        SortedMap<String, FsEntry> map = new TreeMap<>();
        for (FsEntry e : all) {
            map.put(e.path(), e);
        }
        return new ImageTree(map);
    }

    /** The tree the layer blobs (plain, gzip or zstd tars, lowest first) make together. */
    static ImageTree fromLayers(List<Path> layers) throws IOException {
        Merger merger = new Merger();
        for (Path layer : layers) {
            merger.apply(layer);
        }
        return new ImageTree(merger.result());
    }

    SortedMap<String, FsEntry> entries() {
        return entries;
    }

    FsEntry get(String path) {
        return entries.get(path);
    }

    /** Applies layers one after the other, tracking which paths share an inode. */
    private static final class Merger {
        private final SortedMap<String, FsEntry> tree = new TreeMap<>();
        private final Map<String, Integer> inodes = new HashMap<>();
        private int nextInode;

        void apply(Path layer) throws IOException {
            List<TarArchiveEntry> headers = new ArrayList<>();
            List<String> digests = new ArrayList<>();
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(layer));
                    InputStream in = decompressed(raw);
                    TarArchiveInputStream tar = new TarReader(in)) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    headers.add(e);
                    digests.add(!e.isLink() && typeOf(e) == FsEntry.Type.FILE ? sha256(tar) : null);
                }
            }
            // Whiteouts remove only what lower layers hold: apply them before this layer's entries.
            for (TarArchiveEntry e : headers) {
                String path = normalize(e.getName());
                String name = path.substring(path.lastIndexOf('/') + 1);
                String parent = parentOf(path);
                if (name.equals(OPAQUE)) {
                    removeBelow(parent);
                } else if (name.startsWith(WHITEOUT)) {
                    String gone = (parent.equals("/") ? "" : parent) + "/" + name.substring(WHITEOUT.length());
                    remove(gone);
                    removeBelow(gone);
                }
            }
            for (int i = 0; i < headers.size(); i++) {
                TarArchiveEntry e = headers.get(i);
                String path = normalize(e.getName());
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (path.equals("/") || name.startsWith(WHITEOUT)) {
                    continue;
                }
                add(path, e, digests.get(i));
            }
        }

        private void add(String path, TarArchiveEntry e, String digest) {
            FsEntry old = tree.get(path);
            if (old != null && old.type() == FsEntry.Type.DIR && !e.isDirectory()) {
                removeBelow(path);
            }
            remove(path);
            if (e.isLink()) {
                String target = normalize(e.getLinkName());
                FsEntry original = tree.get(target);
                if (original == null) {
                    throw new IllegalStateException("hardlink " + path + " to missing " + target);
                }
                tree.put(path, original.withPath(path));
                inodes.put(path, inodes.get(target));
                return;
            }
            tree.put(path, new FsEntry(path, typeOf(e), e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
                    digest != null ? e.getSize() : 0, digest, e.isSymbolicLink() ? e.getLinkName() : null,
                    e.getLastModifiedDate().getTime() / 1000, List.of()));
            inodes.put(path, nextInode++);
        }

        private void remove(String path) {
            tree.remove(path);
            inodes.remove(path);
        }

        private void removeBelow(String dir) {
            String prefix = dir.equals("/") ? "/" : dir + "/";
            List<String> below = new ArrayList<>(tree.tailMap(prefix).keySet().stream()
                    .takeWhile(p -> p.startsWith(prefix)).toList());
            below.forEach(this::remove);
        }

        SortedMap<String, FsEntry> result() {
            Map<Integer, List<String>> groups = new HashMap<>();
            inodes.forEach((path, inode) -> groups.computeIfAbsent(inode, k -> new ArrayList<>()).add(path));
            SortedMap<String, FsEntry> out = new TreeMap<>();
            tree.forEach((path, entry) -> {
                List<String> group = groups.get(inodes.get(path));
                if (group.size() > 1) {
                    entry = entry.withHardlinks(group.stream().sorted().toList());
                }
                out.put(path, entry);
            });
            return out;
        }
    }

    private static FsEntry.Type typeOf(TarArchiveEntry e) {
        if (e.isDirectory()) {
            return FsEntry.Type.DIR;
        } else if (e.isSymbolicLink()) {
            return FsEntry.Type.SYMLINK;
        } else if (e.isCharacterDevice()) {
            return FsEntry.Type.CHAR;
        } else if (e.isBlockDevice()) {
            return FsEntry.Type.BLOCK;
        } else if (e.isFIFO()) {
            return FsEntry.Type.FIFO;
        }
        return FsEntry.Type.FILE;
    }

    /** {@code ./a/b/} → {@code /a/b}; the root is {@code /}. */
    static String normalize(String name) {
        String p = name;
        while (p.startsWith("./") || p.startsWith("/")) {
            p = p.startsWith("./") ? p.substring(2) : p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() || p.equals(".") ? "/" : "/" + p;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        raw.mark(16);
        byte[] magic = raw.readNBytes(4);
        raw.reset();
        boolean gzip = magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        boolean zstd = magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd;
        if (!gzip && !zstd) {
            return raw;
        }
        try {
            return new CompressorStreamFactory().createCompressorInputStream(
                    gzip ? CompressorStreamFactory.GZIP : CompressorStreamFactory.ZSTANDARD, raw);
        } catch (org.apache.commons.compress.compressors.CompressorException e) {
            throw new IOException(e);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
