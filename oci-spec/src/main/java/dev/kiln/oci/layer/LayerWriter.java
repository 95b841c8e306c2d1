package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layout.BlobStore;
import dev.kiln.oci.layout.BlobWriter;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;

/**
 * Writes deterministic layer tars: entries sorted as a depth-first walk with sorted children, no
 * {@code ./} prefixes, user and group names empty, mtimes in whole seconds, PAX headers for long
 * or non-ASCII names, big numbers and xattrs, hardlinks preserved. Names are the bytes of their
 * {@link FileNames} text form, in the ustar fields and in PAX records alike (as Go's archive/tar
 * writes them), so a name that is not valid UTF-8 is written as it is on disk. Compresses (gzip with a fixed header, zstd
 * when zstd-jni is present, or none; on a thread of its own when there are two cores) and
 * computes the blob digest and the diff ID in the same pass.
 */
public final class LayerWriter {
    /**
     * @param compression  the blob's compression
     * @param gzipLevel    deflate level 1–9 (or -1 for the default, 6)
     * @param uid          when not null, every entry's owner
     * @param gid          when not null, every entry's group
     * @param mtime        when not null, every entry's mtime (e.g. SOURCE_DATE_EPOCH)
     * @param clampMtime   when not null, mtimes later than this are set to it (BuildKit's rewrite-timestamp)
     * @param overlayWhiteouts when writing a directory: convert overlayfs whiteouts and opaque dirs
     */
    public record Options(Compression compression, int gzipLevel, Integer uid, Integer gid, Instant mtime,
                          Instant clampMtime, boolean overlayWhiteouts) {
        /** gzip at the default level, real owners and times, no overlay conversion. */
        public static Options defaults() {
            return new Options(Compression.GZIP, Deflater.DEFAULT_COMPRESSION, null, null, null, null, false);
        }

        public Options withCompression(Compression c) {
            return new Options(c, gzipLevel, uid, gid, mtime, clampMtime, overlayWhiteouts);
        }

        public Options withGzipLevel(int level) {
            return new Options(compression, level, uid, gid, mtime, clampMtime, overlayWhiteouts);
        }

        public Options withOwner(Integer newUid, Integer newGid) {
            return new Options(compression, gzipLevel, newUid, newGid, mtime, clampMtime, overlayWhiteouts);
        }

        public Options withMtime(Instant fixed) {
            return new Options(compression, gzipLevel, uid, gid, fixed, clampMtime, overlayWhiteouts);
        }

        public Options withClampMtime(Instant clamp) {
            return new Options(compression, gzipLevel, uid, gid, mtime, clamp, overlayWhiteouts);
        }

        public Options withOverlayWhiteouts(boolean convert) {
            return new Options(compression, gzipLevel, uid, gid, mtime, clampMtime, convert);
        }
    }

    private final Options options;
    private final FileReads reads;

    public LayerWriter(Options options) {
        this(options, FileReads.JAVA);
    }

    /** A writer whose directory scans read each entry's lstat, xattrs and content through {@code reads}. */
    public LayerWriter(Options options, FileReads reads) {
        this.options = options;
        this.reads = reads;
    }

    public LayerWriter() {
        this(Options.defaults());
    }

    /** The entries a directory tree would make, in the order they would be written. */
    public List<LayerEntry> scan(Path dir) throws IOException {
        return DirectoryScanner.scan(dir, options.overlayWhiteouts(), reads);
    }

    /** Writes the tree under {@code dir} as a layer to {@code out} (not closed). */
    public LayerResult writeDirectory(Path dir, OutputStream out) throws IOException {
        return write(scan(dir), out);
    }

    /** Writes the tree under {@code dir} as a layer blob into {@code store}. */
    public LayerResult writeDirectory(Path dir, BlobStore store) throws IOException {
        return writeDirectory(dir, UnaryOperator.identity(), store).result();
    }

    /** A layer written from a directory, and how long scanning the directory took. */
    public record Scanned(LayerResult result, long scanNanos) {}

    /**
     * Writes the tree under {@code dir} as a layer blob into {@code store}, each entry changed by
     * {@code map} on its way (called in layer order, once per entry; it must keep the path). With
     * two cores the tree is scanned on a thread of its own while the entries found so far are
     * written, so a tree of many small files costs the longer of the two, not their sum.
     */
    public Scanned writeDirectory(Path dir, UnaryOperator<LayerEntry> map, BlobStore store) throws IOException {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            long start = System.nanoTime();
            List<LayerEntry> entries = new ArrayList<>();
            DirectoryScanner.scan(dir, options.overlayWhiteouts(), reads, e -> entries.add(map.apply(e)));
            long scanned = System.nanoTime() - start;
            return new Scanned(write(entries, store), scanned);
        }
        try (ScanAhead scan = new ScanAhead(dir, options.overlayWhiteouts(), reads, map)) {
            LayerResult result = write(scan::next, store);
            return new Scanned(result, scan.scanNanos());
        }
    }

    /**
     * Writes {@code entries} (sorted here) as a layer blob into {@code store}: the bytes stream
     * once, straight into the store's temp space, and are published under their digest at the end.
     */
    public LayerResult write(List<LayerEntry> entries, BlobStore store) throws IOException {
        return write(inOrder(entries), store);
    }

    private LayerResult write(Entries entries, BlobStore store) throws IOException {
        try (BlobWriter blob = store.newWriter(Digest.SHA256)) {
            Tar tar = writeTar(entries, blob);
            long size = blob.size();
            // the blob writer hashes the compressed bytes on their way in: its digest is the layer's
            Digest digest = blob.commit("layer " + tar.diffId(), null, size);
            return tar.result(Descriptor.of(MediaType.ociLayer(options.compression()), digest, size));
        }
    }

    /**
     * Writes {@code entries} as a layer to {@code out} (not closed). Entries are sorted; a path
     * given twice, or a hardlink to a path not written before it, is refused.
     */
    public LayerResult write(List<LayerEntry> entries, OutputStream out) throws IOException {
        DigestingOutputStream compressed = new DigestingOutputStream(out);
        Tar tar = writeTar(inOrder(entries), compressed);
        return tar.result(Descriptor.of(MediaType.ociLayer(options.compression()), compressed.digest(),
                compressed.size()));
    }

    /** What a written tar was: its diff ID, uncompressed size and entry count. */
    private record Tar(Digest diffId, long size, int entries) {
        LayerResult result(Descriptor compressed) {
            return new LayerResult(compressed, diffId, size, entries);
        }
    }

    /** Entries in layer order, one at a time. */
    @FunctionalInterface
    private interface Entries {
        /** The next entry, or null after the last. */
        LayerEntry next() throws IOException;
    }

    /** {@code entries} sorted into layer order (a copy, unless they are in it). */
    private static Entries inOrder(List<LayerEntry> entries) {
        List<LayerEntry> sorted = entries;
        if (!isSorted(entries)) {
            sorted = new ArrayList<>(entries);
            sorted.sort((a, b) -> LayerEntry.compareByComponents(a.path(), b.path()));
        }
        Iterator<LayerEntry> it = sorted.iterator();
        return () -> it.hasNext() ? it.next() : null;
    }

    /** Writes the sorted entries, checked, as a tar, compressed into {@code sink} (not closed). */
    private Tar writeTar(Entries entries, OutputStream sink) throws IOException {
        OutputStream compressor = compressor(new BufferedOutputStream(new NonClosing(sink), 1 << 16));
        if (options.compression() == Compression.ZSTD && Runtime.getRuntime().availableProcessors() > 1) {
            compressor = new HandOffOutputStream(compressor); // compress on a second core
        }
        DigestingOutputStream plain = new DigestingOutputStream(compressor);
        Set<String> written = new HashSet<>();
        byte[] buffer = new byte[COPY_BUFFER];
        int count = 0;
        try (TarOutput tar = new TarOutput(plain)) {
            LayerEntry previous = null;
            for (LayerEntry entry = entries.next(); entry != null; previous = entry, entry = entries.next()) {
                count++;
                if (previous != null && LayerEntry.compareByComponents(previous.path(), entry.path()) > 0) {
                    throw new IllegalStateException("layer entry '" + entry.path() + "' came after '"
                            + previous.path() + "'");
                }
                if (!written.add(entry.path())) {
                    throw new LayerException("layer entry '" + entry.path() + "' given twice");
                }
                if (entry.type() == LayerEntry.Type.HARDLINK && !written.contains(entry.linkTarget())) {
                    throw new LayerException("hardlink '" + entry.path() + "' -> '" + entry.linkTarget()
                            + "': the target is not an earlier entry");
                }
                writeEntry(tar, entry, buffer);
            }
        }
        return new Tar(plain.digest(), plain.size(), count);
    }

    /** Bytes read from a file at a time: a small file takes one read. */
    private static final int COPY_BUFFER = 1 << 16;

    private static boolean isSorted(List<LayerEntry> entries) {
        for (int i = 1; i < entries.size(); i++) {
            if (LayerEntry.compareByComponents(entries.get(i - 1).path(), entries.get(i).path()) > 0) {
                return false;
            }
        }
        return true;
    }

    private OutputStream compressor(OutputStream out) throws IOException {
        return switch (options.compression()) {
            case NONE -> out;
            case GZIP -> new ParallelGzipOutputStream(out, options.gzipLevel(),
                    Runtime.getRuntime().availableProcessors());
            case ZSTD -> {
                if (!Compression.zstdAvailable()) {
                    throw new KilnException("zstd compression needs zstd-jni on the class path",
                            "use gzip, or add com.github.luben:zstd-jni", null);
                }
                yield new ZstdCompressorOutputStream(out);
            }
        };
    }

    private void writeEntry(TarOutput tar, LayerEntry entry, byte[] buffer) throws IOException {
        byte flag = switch (entry.type()) {
            case FILE -> TarConstants.LF_NORMAL;
            case DIRECTORY -> TarConstants.LF_DIR;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            case HARDLINK -> TarConstants.LF_LINK;
            case CHAR_DEVICE -> TarConstants.LF_CHR;
            case BLOCK_DEVICE -> TarConstants.LF_BLK;
            case FIFO -> TarConstants.LF_FIFO;
        };
        byte[] name = FileNames.encode(entry.type() == LayerEntry.Type.DIRECTORY ? entry.path() + "/" : entry.path());
        int uid = options.uid() != null ? options.uid() : entry.uid();
        int gid = options.gid() != null ? options.gid() : entry.gid();
        long mtime = mtime(entry.mtime()).getEpochSecond();
        boolean link = entry.type() == LayerEntry.Type.SYMLINK || entry.type() == LayerEntry.Type.HARDLINK;
        byte[] linkName = link ? FileNames.encode(entry.linkTarget()) : null;
        long size = entry.type() == LayerEntry.Type.FILE ? entry.size() : 0;
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (needsPax(name)) {
            pax.put("path", name);
        }
        if (link && needsPax(linkName)) {
            pax.put("linkpath", linkName);
        }
        numberRecord(pax, "uid", uid, TarConstants.MAXID);
        numberRecord(pax, "gid", gid, TarConstants.MAXID);
        numberRecord(pax, "mtime", mtime, TarConstants.MAXSIZE);
        numberRecord(pax, "size", size, TarConstants.MAXSIZE);
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            writePax(tar, name, mtime, pax);
        }
        tar.putEntry(name, flag, entry.mode() & 07777, uid, gid, size, mtime, linkName, entry.devMajor(),
                entry.devMinor());
        if (entry.type() == LayerEntry.Type.FILE) {
            long copied = copy(entry, tar, buffer);
            if (copied != entry.size()) {
                throw new LayerException("file '" + entry.path() + "' changed while being written: expected "
                        + entry.size() + " bytes, read " + copied);
            }
        }
        tar.closeEntry();
    }

    /** Copies a file's content into its entry; how many bytes it had (up to one more than the entry's size). */
    private static long copy(LayerEntry entry, TarOutput tar, byte[] buffer) throws IOException {
        long limit = entry.size();
        long copied = 0;
        try (InputStream in = entry.content().open()) {
            int n;
            while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - copied))) > 0) {
                copied += n;
                if (copied > limit) {
                    break; // grown since it was scanned
                }
                tar.write(buffer, 0, n);
            }
        }
        return copied;
    }

    /** A name goes into PAX when the 100-byte ustar field cannot hold it or it is not ASCII. */
    static boolean needsPax(byte[] name) {
        if (name.length >= TarConstants.NAMELEN) {
            return true;
        }
        for (byte b : name) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    static void numberRecord(Map<String, byte[]> pax, String key, long value, long max) {
        if (value < 0 || value > max) {
            pax.put(key, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The PAX extended header for the entry {@code name}: records as raw bytes, in a fixed order. */
    private static void writePax(TarOutput tar, byte[] name, long mtime, Map<String, byte[]> records)
            throws IOException {
        byte[] data = paxData(records);
        tar.putEntry(paxHeader(name, mtime, data.length));
        tar.write(data, 0, data.length);
        tar.closeEntry();
    }

    /** A PAX header's content: its records, each {@code "LENGTH KEY=VALUE\n"}. */
    static byte[] paxData(Map<String, byte[]> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
            int length = body + Integer.toString(body).length();
            if (Integer.toString(length).length() != Integer.toString(body).length()) {
                length++; // the length's own digits pushed it over a power of ten
            }
            data.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
            data.write(' ');
            data.writeBytes(key);
            data.write('=');
            data.writeBytes(r.getValue());
            data.write('\n');
        }
        return data.toByteArray();
    }

    /** The header of the PAX header of entry {@code name}, with {@code size} bytes of records. */
    static TarArchiveEntry paxHeader(byte[] name, long mtime, int size) {
        StringBuilder ascii = new StringBuilder("./PaxHeaders.X/");
        for (byte b : name) {
            ascii.append(b > 0 && b < 0x7f ? (char) b : '_');
        }
        String headerName = ascii.length() >= TarConstants.NAMELEN ? ascii.substring(0, TarConstants.NAMELEN - 1)
                : ascii.toString();
        TarArchiveEntry header = new TarArchiveEntry(headerName, TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        header.setModTime(Math.max(0, Math.min(mtime, TarConstants.MAXSIZE)) * 1000L);
        header.setSize(size);
        return header;
    }

    private Instant mtime(Instant original) {
        if (options.mtime() != null) {
            return options.mtime();
        }
        if (options.clampMtime() != null && original.isAfter(options.clampMtime())) {
            return options.clampMtime();
        }
        return original;
    }

    /** Lets the compressor chain be closed without closing the caller's stream. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
