package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.layer.ExtractResult;
import dev.kiln.oci.layer.FileReads;
import dev.kiln.oci.layer.FileWrites;
import dev.kiln.oci.layer.LayerExtractor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction through the native writes makes java.nio's tree: every entry's lstat, xattrs and
 * content the same; and the native create never follows or opens what is already at the name.
 */
class NativeFileWritesTest {
    private static final Instant TIME = Instant.parse("2001-02-03T04:05:06Z");
    private static final FileReads XATTRS = NativeFileReads.load().orElseThrow();
    @TempDir
    Path dir;
    private FileWrites nativeWrites;

    @BeforeEach
    void load() {
        nativeWrites = NativeFileWrites.load().orElseThrow();
    }

    /** A layer with every kind of entry, odd modes and owners, times, xattrs, replaced names, big content. */
    private static byte[] layer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            dir(tar, "d", 0755, 0, 0);
            dir(tar, "sticky", 01777, 0, 0);
            dir(tar, "locked", 0500, 1000, 1000);
            file(tar, "locked/inside", "x", 0444, 1000, 1000, TIME, Map.of());
            file(tar, "d/suid", "#!/bin/sh\n", 04755, 1000, 50, TIME.plusNanos(123_456_789), Map.of());
            file(tar, "d/sgid", "g", 02750, 0, 42, TIME, Map.of());
            file(tar, "sticky/readonly", "r", 0444, 65534, 65534, TIME, Map.of());
            file(tar, "empty", "", 0644, 0, 0, TIME, Map.of());
            file(tar, "old", "1969", 0644, 0, 0, Instant.parse("1969-07-20T20:17:40Z"), Map.of());
            file(tar, "xattrs", "x", 0600, 0, 0, TIME,
                    Map.of("SCHILY.xattr.user.one", "1", "SCHILY.xattr.user.two", "two"));
            byte[] big = new byte[200_000];
            new Random(7).nextBytes(big);
            file(tar, "big", new String(big, StandardCharsets.ISO_8859_1), 0755, 0, 0, TIME, Map.of());
            link(tar, "hard", "big", TarArchiveEntry.LF_LINK);
            link(tar, "sym", "d/suid", TarArchiveEntry.LF_SYMLINK);
            TarArchiveEntry fifo = new TarArchiveEntry("fifo", TarArchiveEntry.LF_FIFO, true);
            fifo.setMode(0640);
            tar.putArchiveEntry(fifo);
            tar.closeArchiveEntry();
            file(tar, "again", "first", 0644, 0, 0, TIME, Map.of());
            file(tar, "again", "second", 0600, 0, 0, TIME, Map.of()); // a file over a file
            dir(tar, "wasdir", 0755, 0, 0);
            file(tar, "wasdir/child", "c", 0644, 0, 0, TIME, Map.of());
            file(tar, "wasdir", "now a file", 0644, 0, 0, TIME, Map.of()); // a file over a directory
            link(tar, "waslink", "d", TarArchiveEntry.LF_SYMLINK);
            file(tar, "waslink", "now a file", 0644, 0, 0, TIME, Map.of()); // a file over a symlink, not through it
        }
        return bytes.toByteArray();
    }

    private static void dir(TarArchiveOutputStream tar, String name, int mode, int uid, int gid) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name + "/", true);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(TIME.toEpochMilli());
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content, int mode, int uid, int gid,
            Instant mtime, Map<String, String> pax) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.ISO_8859_1);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(FileTime.from(mtime));
        pax.forEach(e::addPaxHeader);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target, byte flag) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setLinkName(target);
        e.setModTime(TIME.toEpochMilli());
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    @Test
    void extraction_nativeWrites_giveJavaNiosTree() throws IOException {
        assertSameTreeAsJavaNios(LayerExtractor.Options.defaults().withFileWrites(nativeWrites));
    }

    /** The same with the files written by the extraction's second thread, as {@code LayerDirs} writes a base layer's. */
    @Test
    void extraction_nativeWritesOnTheWriterThread_giveJavaNiosTree() throws IOException {
        assertSameTreeAsJavaNios(LayerExtractor.Options.defaults().withFileWrites(nativeWrites).withWriterThread(0));
    }

    private void assertSameTreeAsJavaNios(LayerExtractor.Options options) throws IOException {
        byte[] layer = layer();
        Path javaRoot = dir.resolve("java");
        Path nativeRoot = dir.resolve("native");
        ExtractResult javaResult = new LayerExtractor().extract(new ByteArrayInputStream(layer), javaRoot);
        ExtractResult nativeResult = new LayerExtractor(options).extract(new ByteArrayInputStream(layer), nativeRoot);

        assertThat(nativeResult).isEqualTo(javaResult);
        Map<String, String> javaTree = describe(javaRoot);
        assertThat(javaTree).containsKeys("d/suid", "big", "waslink", "locked/inside", "old");
        assertThat(describe(nativeRoot)).isEqualTo(javaTree);
    }

    /**
     * Every entry under {@code root} (not the root itself) by relative name: type, mode, owner, size, links, mtime, atime
     * (of non-directories), xattrs, a symlink's target, a file's content; metadata read before any
     * content, which could move an access time.
     */
    private static Map<String, String> describe(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.filter(p -> !p.equals(root)).sorted().toList(); // the root keeps its own metadata
        }
        Map<String, String> out = new TreeMap<>();
        for (Path p : all) {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,nlink,lastModifiedTime,lastAccessTime",
                    LinkOption.NOFOLLOW_LINKS);
            boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            StringBuilder s = new StringBuilder().append(Integer.toOctalString((Integer) a.get("mode")))
                    .append(' ').append(a.get("uid")).append(':').append(a.get("gid"))
                    .append(" size=").append(directory ? "-" : a.get("size")).append(" nlink=").append(a.get("nlink"))
                    .append(" mtime=").append(a.get("lastModifiedTime"))
                    .append(" atime=").append(directory ? "-" : a.get("lastAccessTime"));
            if (Files.isSymbolicLink(p)) {
                s.append(" -> ").append(Files.readSymbolicLink(p));
            }
            // by path (java.nio's view opens the file, which a 0000 file refuses its unprivileged owner)
            XATTRS.userXattrs(p).forEach((name, value) ->
                    s.append(" xattr ").append(name).append('=').append(new String(value, StandardCharsets.UTF_8)));
            out.put(root.relativize(p).toString(), s.toString());
        }
        for (Path p : all) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p)) { // same mode: same readability
                out.merge(root.relativize(p).toString(), " sha=" + Arrays.hashCode(Files.readAllBytes(p)),
                        String::concat);
            }
        }
        return out;
    }

    /**
     * A file whose mode gives its owner no read still gets the tar's mode and mtime. java.nio sets
     * the times by opening the file again, which an unprivileged owner of a 0000 or 0200 file is
     * refused: it kept the extraction's time (seen in {@code HostileLayersAsUserIT}, which runs this
     * as kiln-test); the native writes set them through the descriptor they created it with.
     */
    @Test
    void extraction_fileWithoutOwnerRead_getsTheTarsModeAndMtime() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            file(tar, "none", "no bits", 0, 0, 0, TIME, Map.of());
            file(tar, "writeonly", "w", 0200, 0, 0, TIME, Map.of());
        }

        new LayerExtractor(LayerExtractor.Options.defaults().withFileWrites(nativeWrites))
                .extract(new ByteArrayInputStream(bytes.toByteArray()), root);

        for (String name : List.of("none", "writeonly")) {
            Map<String, Object> a = Files.readAttributes(root.resolve(name), "unix:mode,size,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            assertThat(a.get("mode")).as(name).isEqualTo(name.equals("none") ? 0100000 : 0100200);
            assertThat(a.get("lastModifiedTime")).as(name).isEqualTo(FileTime.from(TIME));
        }
        assertThat(Files.size(root.resolve("none"))).isEqualTo(7);
    }

    @Test
    void create_existingSymlinkToOutside_refusedAndTargetUntouched() throws IOException {
        Path outside = Files.writeString(dir.resolve("outside"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), outside);

        assertThatThrownBy(() -> nativeWrites.create(link)).isInstanceOf(FileAlreadyExistsException.class);

        assertThat(outside).hasContent("keep");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void create_danglingSymlink_refusedAndItsTargetNotCreated() throws IOException {
        Path target = dir.resolve("would-be-created");
        Path link = Files.createSymbolicLink(dir.resolve("dangling"), target);

        assertThatThrownBy(() -> nativeWrites.create(link)).isInstanceOf(FileAlreadyExistsException.class);

        assertThat(target).doesNotExist();
    }

    @Test
    void extraction_fileOverSymlinkToOutsideFile_replacesTheLinkAndLeavesTheOutsideFile() throws IOException {
        Path outside = Files.writeString(dir.resolve("outside"), "keep");
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("passwd"), outside);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            file(tar, "passwd", "planted", 04777, 0, 0, TIME, Map.of());
        }

        new LayerExtractor(LayerExtractor.Options.defaults().withFileWrites(nativeWrites))
                .extract(new ByteArrayInputStream(bytes.toByteArray()), root);

        assertThat(outside).hasContent("keep");
        assertThat(Files.getAttribute(outside, "unix:mode")).isEqualTo(0100644);
        assertThat(Files.isSymbolicLink(root.resolve("passwd"))).isFalse();
        assertThat(root.resolve("passwd")).hasContent("planted");
    }

    @Test
    void handle_afterClose_refusesEveryCall() throws IOException {
        FileWrites.Handle file = nativeWrites.create(dir.resolve("f"));
        file.close();

        assertThatThrownBy(() -> file.setMode(0644)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> file.write(new byte[1], 0, 1)).isInstanceOf(IOException.class);
    }
}
