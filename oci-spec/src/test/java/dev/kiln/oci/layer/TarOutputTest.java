package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layout.DirBlobStore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TarOutput}'s own header encoding against commons-compress's, and {@link LayerWriter}'s
 * whole tar against the one commons-compress's {@link TarArchiveOutputStream} wrote before
 * (the reference below is that former writer): the layer bytes, and so the digests, must not change.
 */
class TarOutputTest {
    private static final byte[] FLAGS = {TarConstants.LF_NORMAL, TarConstants.LF_DIR, TarConstants.LF_SYMLINK,
        TarConstants.LF_LINK, TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO};

    @TempDir
    Path tmp;

    @Test
    void encodeCommon_isCommonsCompressesHeader_atEveryBoundary() throws IOException {
        List<byte[]> names = List.of(bytes("a"), bytes("usr/bin/"), latin1Bytes(99, 'n'), latin1Bytes(100, 'n'),
                FileNames.encode("café/\uDCFF"));
        List<byte[]> links = Arrays.asList(null, bytes("../x"), latin1Bytes(99, 'l'), latin1Bytes(100, 'l'));
        long[] ids = {0, 1, 1000, 65534, TarConstants.MAXID, TarConstants.MAXID + 1, Integer.MAX_VALUE, -1};
        long[] sizes = {0, 511, TarConstants.MAXSIZE, TarConstants.MAXSIZE + 1};
        long[] times = {0, 1_700_000_000L, TarConstants.MAXSIZE, TarConstants.MAXSIZE + 1, -86_400L * 365};
        int[] modes = {0644, 07777};
        byte[] common = new byte[TarOutput.RECORD];
        byte[] general = new byte[TarOutput.RECORD];
        int fast = 0;
        int compared = 0;
        for (byte[] name : names) {
            for (byte[] link : links) {
                for (byte flag : FLAGS) {
                    for (int mode : modes) {
                        for (long id : ids) {
                            for (long size : sizes) {
                                for (long time : times) {
                                    int dev = (int) Math.min(Math.max(id, 0), Integer.MAX_VALUE);
                                    Object[] what = {new String(name, StandardCharsets.ISO_8859_1), flag, mode, id,
                                        size, time, link == null ? null : link.length};
                                    boolean isCommon = TarOutput.encodeCommon(common, name, flag, mode, (int) id,
                                            (int) (id / 2), size, time, link, dev, dev / 3);
                                    TarOutput.encodeGeneral(general, name, flag, mode, (int) id, (int) (id / 2), size,
                                            time, link, dev, dev / 3);
                                    compared++;
                                    if (isCommon) {
                                        fast++;
                                        assertThat(common).as("header of %s", Arrays.toString(what)).isEqualTo(general);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // the common case takes the fast path: short names, ids and times that octal holds
        assertThat(TarOutput.encodeCommon(common, bytes("many/f1"), TarConstants.LF_NORMAL, 0644, 100999, 100999,
                2, 1_700_000_000L, null, 0, 0)).isTrue();
        assertThat(fast).as("headers compared on the fast path").isGreaterThan(compared / 10);
    }

    @Test
    void write_trickyEntries_sameBytesAsTheFormerCommonsCompressWriter() throws Exception {
        Instant t = Instant.ofEpochSecond(1_700_000_000L);
        String longName = "deep/" + "x".repeat(120) + "/file";
        List<LayerEntry> entries = new ArrayList<>(List.of(
                LayerEntry.directory("deep").withOwner(0, 0).withMtime(t),
                LayerEntry.directory("a").withMtime(t),
                LayerEntry.file("a/b", bytes("in a")).withMtime(t),
                LayerEntry.file("a-b", bytes("beside a")).withMtime(t),
                LayerEntry.file("a\u00e9", bytes("after a")).withMtime(t),
                LayerEntry.directory("a\u00e9d/\uDCE9").withMtime(t),
                LayerEntry.file("a\u00e9d/\uDCE9/b", bytes("below")).withMtime(t),
                LayerEntry.file("a0", bytes("after a")).withMtime(t),
                LayerEntry.directory("deep/" + "x".repeat(120)).withMtime(t),
                LayerEntry.file(longName, bytes("long")).withMtime(t),
                LayerEntry.file("deep/" + "y".repeat(99), bytes("99")).withMtime(t),
                LayerEntry.file("deep/" + "z".repeat(95), bytes("100 with the directory's name")).withMtime(t),
                LayerEntry.file("caf\u00e9", bytes("utf-8 name")).withMtime(t),
                LayerEntry.file("latin1-\uDCE9", bytes("a name that is not UTF-8")).withMtime(t),
                LayerEntry.file("big-ids", bytes("ids")).withOwner(100_000_000, 2_000_000_000).withMtime(t),
                LayerEntry.file("before-1970", bytes("old")).withMtime(Instant.ofEpochSecond(-3600)),
                LayerEntry.file("far-future", bytes("new")).withMtime(Instant.ofEpochSecond(1L << 34)),
                LayerEntry.file("empty", new byte[0]).withMode(0600).withMtime(t),
                LayerEntry.file("block", new byte[512]).withMtime(t),
                LayerEntry.file("block-and-one", new byte[513]).withMode(04755).withMtime(t),
                LayerEntry.file("xattrs", bytes("x")).withXattrs(Map.of("user.b", bytes("2"), "user.a",
                        new byte[] {0, (byte) 0xff, '\n'})).withMtime(t),
                LayerEntry.hardlink("zz-hard", "xattrs").withMtime(t),
                LayerEntry.hardlink("hard-to-long", longName).withMtime(t),
                LayerEntry.symlink("sym", "/etc/" + "t".repeat(150)).withMtime(t),
                LayerEntry.symlink("sym-short", "../\u00e9").withOwner(5, 6).withMtime(t),
                LayerEntry.device("null", LayerEntry.Type.CHAR_DEVICE, 1, 3).withMode(0666).withMtime(t),
                LayerEntry.device("sda", LayerEntry.Type.BLOCK_DEVICE, 8, 3_000_000).withMtime(t),
                LayerEntry.device("fifo", LayerEntry.Type.FIFO, 0, 0).withMode(0600).withMtime(t),
                LayerEntry.whiteout("gone").withMtime(t),
                LayerEntry.opaque("deep").withMtime(t)));
        for (LayerWriter.Options options : List.of(LayerWriter.Options.defaults().withCompression(Compression.NONE),
                LayerWriter.Options.defaults().withCompression(Compression.NONE).withOwner(7, 8).withMtime(t),
                LayerWriter.Options.defaults().withCompression(Compression.NONE).withClampMtime(t))) {
            ByteArrayOutputStream now = new ByteArrayOutputStream();
            new LayerWriter(options).write(entries, now);
            assertThat(now.toByteArray()).isEqualTo(formerWriter(entries, options));
        }
    }

    @Test
    void writeDirectory_realTree_sameBytesAsTheFormerWriter_socketsSkipped_xattrsKept() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("tree"));
        Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(dir.resolve("many/f" + i), i + "\n");
        }
        Files.write(dir.resolve("big"), new byte[200_000]);
        Files.writeString(dir.resolve("many/" + "n".repeat(150)), "long");
        Files.createLink(dir.resolve("many/link"), dir.resolve("many/f1"));
        Files.createSymbolicLink(dir.resolve("sym"), Path.of("/etc/passwd"));
        try {
            Files.setAttribute(dir.resolve("many/f2"), "user:kiln.test", bytes("v"));
            Files.setAttribute(dir.resolve("many"), "user:overlay.opaque", bytes("y"));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("user xattrs are not supported on " + tmp + ": " + e);
        }
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(dir.resolve("socket")));
            LayerWriter.Options options = LayerWriter.Options.defaults().withCompression(Compression.NONE)
                    .withOverlayWhiteouts(true);
            LayerWriter writer = new LayerWriter(options);
            List<LayerEntry> scanned = writer.scan(dir);

            assertThat(scanned).extracting(LayerEntry::path).doesNotContain("socket")
                    .contains("many/.wh..wh..opq", "sym");
            LayerEntry f2 = scanned.stream().filter(e -> e.path().equals("many/f2")).findFirst().orElseThrow();
            assertThat(f2.xattrs()).containsOnlyKeys("user.kiln.test");
            LayerEntry link = scanned.stream().filter(e -> e.path().equals("many/link")).findFirst().orElseThrow();
            assertThat(link.type()).isEqualTo(LayerEntry.Type.HARDLINK);
            ByteArrayOutputStream now = new ByteArrayOutputStream();
            writer.write(scanned, now);
            assertThat(now.toByteArray()).isEqualTo(formerWriter(scanned, options));
        }
    }

    @Test
    void writeDirectory_scannedAlongside_overlayMarkersInLayerOrder_sameBytesAsTheFormerWriter() throws Exception {
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path var = Files.createDirectory(upper.resolve("var"));
        for (String name : List.of("-early", "new", "~late", ".a")) {
            Files.writeString(var.resolve(name), name);
        }
        for (String name : List.of("-x", ".a", ".wh", "a", "h1")) {
            Files.writeString(upper.resolve(name), name);
        }
        Files.createLink(upper.resolve("var/h2"), upper.resolve("h1"));
        Process mknod = new ProcessBuilder("mknod", upper.resolve("gone").toString(), "c", "0", "0")
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mknod.waitFor() == 0, "mknod of a 0/0 char device is not permitted here (needs root "
                + "or a user namespace): " + new String(mknod.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        try {
            Files.setAttribute(var, "user:overlay.opaque", bytes("y"));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("user xattrs are not supported on " + tmp + ": " + e);
        }
        LayerWriter.Options options = LayerWriter.Options.defaults().withCompression(Compression.NONE)
                .withOverlayWhiteouts(true);
        LayerWriter writer = new LayerWriter(options);
        DirBlobStore store = new DirBlobStore(tmp.resolve("store"));
        LayerWriter.Scanned s = writer.writeDirectory(upper, UnaryOperator.identity(), store);

        List<LayerEntry> scanned = writer.scan(upper);
        assertThat(scanned).extracting(LayerEntry::path).containsSubsequence("-x", ".a", ".wh", ".wh.gone", "a", "h1",
                "var", "var/-early", "var/.a", "var/.wh..wh..opq", "var/h2", "var/new", "var/~late");
        assertThat(Files.readAllBytes(store.file(s.result().descriptor().digest())))
                .isEqualTo(formerWriter(scanned, options));
        assertThat(s.scanNanos()).isNotNegative();
    }

    @Test
    void writeDirectory_failingScan_throwsItsException_andStoresNothing() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("tree"));
        for (int i = 0; i < 2000; i++) {
            Files.writeString(dir.resolve("f" + i), "x");
        }
        DirBlobStore store = new DirBlobStore(tmp.resolve("store"));
        UnaryOperator<LayerEntry> failing = e -> {
            if (e.path().equals("f1500")) {
                throw new LayerException("refusing " + e.path());
            }
            return e;
        };
        assertThatThrownBy(() -> new LayerWriter().writeDirectory(dir, failing, store))
                .isInstanceOf(LayerException.class).hasMessage("refusing f1500");
        try (var blobs = Files.list(tmp.resolve("store"))) {
            assertThat(blobs.flatMap(TarOutputTest::files)).isEmpty();
        }
    }

    private static java.util.stream.Stream<Path> files(Path dir) {
        try {
            return Files.walk(dir).filter(Files::isRegularFile).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void write_fileGrownSinceScanned_refused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("grows"));
        Files.writeString(dir.resolve("f"), "short");
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE));
        List<LayerEntry> scanned = writer.scan(dir);
        Files.writeString(dir.resolve("f"), "much longer now");
        assertThatThrownBy(() -> writer.write(scanned, new ByteArrayOutputStream()))
                .isInstanceOf(LayerException.class).hasMessageContaining("changed while being written");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1Bytes(int n, char c) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- the former writer: LayerWriter's tar part as commons-compress's TarArchiveOutputStream wrote it

    private static byte[] formerWriter(List<LayerEntry> entries, LayerWriter.Options options) throws IOException {
        List<LayerEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> formerCompare(a.path(), b.path()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Set<String> written = new HashSet<>();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.ISO_8859_1.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
            for (LayerEntry entry : sorted) {
                assertThat(written.add(entry.path())).isTrue();
                formerEntry(tar, entry, options);
            }
            tar.finish();
        }
        return out.toByteArray();
    }

    /** Depth-first order with sorted children: the paths' bytes compared with the slash as the lowest byte. */
    private static int formerCompare(String a, String b) {
        return Arrays.compareUnsigned(sortKey(a), sortKey(b));
    }

    private static byte[] sortKey(String path) {
        byte[] key = FileNames.encode(path);
        for (int i = 0; i < key.length; i++) {
            key[i] = key[i] == '/' ? 0 : key[i];
        }
        return key;
    }

    private static void formerEntry(TarArchiveOutputStream tar, LayerEntry entry, LayerWriter.Options options)
            throws IOException {
        byte flag = FLAGS[entry.type().ordinal()];
        byte[] name = FileNames.encode(entry.type() == LayerEntry.Type.DIRECTORY ? entry.path() + "/" : entry.path());
        int uid = options.uid() != null ? options.uid() : entry.uid();
        int gid = options.gid() != null ? options.gid() : entry.gid();
        Instant time = options.mtime() != null ? options.mtime()
                : options.clampMtime() != null && entry.mtime().isAfter(options.clampMtime()) ? options.clampMtime()
                : entry.mtime();
        long mtime = time.getEpochSecond();
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (LayerWriter.needsPax(name)) {
            pax.put("path", name);
        }
        TarArchiveEntry e = new TarArchiveEntry(new String(name, StandardCharsets.ISO_8859_1), flag, false);
        e.setMode(entry.mode() & 07777);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtime * 1000L);
        if (entry.type() == LayerEntry.Type.SYMLINK || entry.type() == LayerEntry.Type.HARDLINK) {
            byte[] link = FileNames.encode(entry.linkTarget());
            if (LayerWriter.needsPax(link)) {
                pax.put("linkpath", link);
            }
            e.setLinkName(new String(link, StandardCharsets.ISO_8859_1));
        }
        if (entry.type() == LayerEntry.Type.CHAR_DEVICE || entry.type() == LayerEntry.Type.BLOCK_DEVICE) {
            e.setDevMajor(entry.devMajor());
            e.setDevMinor(entry.devMinor());
        }
        LayerWriter.numberRecord(pax, "uid", uid, TarConstants.MAXID);
        LayerWriter.numberRecord(pax, "gid", gid, TarConstants.MAXID);
        LayerWriter.numberRecord(pax, "mtime", mtime, TarConstants.MAXSIZE);
        if (entry.type() == LayerEntry.Type.FILE) {
            LayerWriter.numberRecord(pax, "size", entry.size(), TarConstants.MAXSIZE);
        }
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            formerPax(tar, name, mtime, pax);
        }
        if (entry.type() == LayerEntry.Type.FILE) {
            e.setSize(entry.size());
            tar.putArchiveEntry(e);
            try (InputStream in = entry.content().open()) {
                assertThat(in.transferTo(tar)).isEqualTo(entry.size());
            }
        } else {
            tar.putArchiveEntry(e);
        }
        tar.closeArchiveEntry();
    }

    private static void formerPax(TarArchiveOutputStream tar, byte[] name, long mtime, Map<String, byte[]> records)
            throws IOException {
        byte[] data = LayerWriter.paxData(records); // unchanged: shared
        tar.putArchiveEntry(LayerWriter.paxHeader(name, mtime, data.length));
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
