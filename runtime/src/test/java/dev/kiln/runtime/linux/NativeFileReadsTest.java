package dev.kiln.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.FileReads;
import dev.kiln.oci.layer.LayerResult;
import dev.kiln.oci.layer.LayerWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native reads give java.nio's answers, so a snapshot's layer is the same bytes with either. */
class NativeFileReadsTest {
    @TempDir
    Path dir;
    private FileReads nativeReads;

    @BeforeEach
    void load() {
        nativeReads = NativeFileReads.load().orElseThrow();
    }

    /** A tree with every kind of entry a snapshot reads, odd modes, times, names and xattrs. */
    private Path tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("tree"));
        Path sub = Files.createDirectories(root.resolve("sub"));
        Files.setAttribute(sub, "unix:mode", 01777);
        Path file = Files.writeString(root.resolve("file"), "hello\n");
        Files.setAttribute(file, "unix:mode", 04755);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));
        Path old = Files.write(sub.resolve("old"), new byte[70_000]);
        touch(old, "1960-01-01 00:00:00.5 UTC"); // java.nio on JDK 17 sets no time before 1970
        Files.createLink(sub.resolve("hard"), file);
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        Files.createFile(FileNames.path(FileNames.text(root) + "/caf\u00e9-\udce9"));
        Syscalls.mkfifo(root.resolve("fifo"), 0644);
        xattr(file, "one", "1".getBytes(StandardCharsets.UTF_8));
        xattr(file, "empty", new byte[0]);
        byte[] big = new byte[3000]; // past the first 256-byte buffer
        Arrays.fill(big, (byte) 'x');
        xattr(sub, "big", big);
        for (int i = 0; i < 40; i++) {
            xattr(old, "name-" + "n".repeat(20) + i, new byte[] {(byte) i}); // a list past 256 bytes
        }
        return root;
    }

    private static void touch(Path p, String time) throws IOException {
        try {
            Process touch = new ProcessBuilder("touch", "-m", "-d", time, p.toString()).inheritIO().start();
            assertThat(touch.waitFor()).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void xattr(Path p, String name, byte[] value) throws IOException {
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class).write(name, ByteBuffer.wrap(value));
    }

    @Test
    void lstatAndXattrs_areJavaNios_forEveryKindOfEntry() throws IOException {
        Path root = tree();
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = walk.toList();
        }
        assertThat(paths).hasSize(8);
        for (Path p : paths) {
            assertThat(nativeReads.lstat(p)).as(p.toString()).isEqualTo(FileReads.JAVA.lstat(p));
            if (p.endsWith("fifo") || Files.isSymbolicLink(p)) {
                continue; // the scan lists xattrs of directories and regular files only (java.nio's open would wait on a fifo)
            }
            Map<String, byte[]> expected = FileReads.JAVA.userXattrs(p);
            Map<String, byte[]> actual = nativeReads.userXattrs(p);
            assertThat(actual.keySet()).as(p.toString()).containsExactlyElementsOf(expected.keySet());
            expected.forEach((k, v) -> assertThat(actual.get(k)).as(p + " " + k).isEqualTo(v));
        }
        assertThat(nativeReads.userXattrs(root.resolve("sub")).get("user.big")).hasSize(3000);
        assertThat(nativeReads.userXattrs(root.resolve("sub/old"))).hasSize(40);
        FileReads.Stat file = nativeReads.lstat(root.resolve("file"));
        assertThat(file.mode() & 07777).isEqualTo(04755);
        assertThat(file.nlink()).isEqualTo(2);
        assertThat(file.mtime()).isEqualTo(Instant.parse("2001-02-03T04:05:06.123456789Z"));
        assertThat(nativeReads.lstat(root.resolve("sub/old")).mtime()).isEqualTo(Instant.parse("1960-01-01T00:00:00.5Z"));
    }

    @Test
    void lstat_deviceNumbers_areJavaNios() throws IOException {
        Path devNull = Path.of("/dev/null");
        assertThat(nativeReads.lstat(devNull)).isEqualTo(FileReads.JAVA.lstat(devNull));
        assertThat(nativeReads.lstat(devNull).rdev()).isEqualTo(FileReads.makedev(1, 3));
    }

    @Test
    void lstat_missing_isNoSuchFile() {
        assertThatThrownBy(() -> nativeReads.lstat(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void content_readsTheFile_inPiecesAndWhole() throws IOException {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Path f = Files.write(dir.resolve("f"), data);
        try (InputStream in = nativeReads.content(f).open()) {
            assertThat(in.read()).isEqualTo(data[0] & 0xff);
            byte[] rest = new byte[data.length + 10];
            int off = 0;
            for (int n; (n = in.read(rest, off, Math.min(7_000, rest.length - off))) > 0; ) {
                off += n;
            }
            assertThat(off).isEqualTo(data.length - 1);
            assertThat(Arrays.copyOf(rest, off)).isEqualTo(Arrays.copyOfRange(data, 1, data.length));
            assertThat(in.read(rest, 0, 10)).isEqualTo(-1);
        }
    }

    /** The attack: a file replaced by a symlink to a secret between the scan and the write. */
    @Test
    void content_fileSwappedForSymlinkAfterTheScan_isNotFollowed() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), "root:password-hash");
        Path f = Files.writeString(dir.resolve("f"), "innocent");
        var content = nativeReads.content(f);
        Files.delete(f);
        Files.createSymbolicLink(f, secret);
        assertThatThrownBy(() -> {
            try (InputStream in = content.open()) {
                in.readAllBytes();
            }
        }).isInstanceOf(FileSystemException.class).hasMessageContaining("ELOOP");
    }

    @Test
    void content_fileSwappedForFifo_readsEmptyInsteadOfWaitingForAWriter() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "innocent");
        var content = nativeReads.content(f);
        Files.delete(f);
        Syscalls.mkfifo(f, 0644);
        try (InputStream in = content.open()) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void layer_ofATree_isTheSameBytesWithNativeAndJavaReads() throws IOException {
        Path root = tree();
        Files.delete(root.resolve("fifo")); // a fifo is kept as an entry; its content never read either way
        LayerWriter.Options options = LayerWriter.Options.defaults().withOverlayWhiteouts(true);
        ByteArrayOutputStream viaJava = new ByteArrayOutputStream();
        ByteArrayOutputStream viaNative = new ByteArrayOutputStream();
        LayerResult a = new LayerWriter(options, FileReads.JAVA).writeDirectory(root, viaJava);
        LayerResult b = new LayerWriter(options, nativeReads).writeDirectory(root, viaNative);
        assertThat(b.entries()).isEqualTo(a.entries()).isEqualTo(6);
        assertThat(b.diffId()).isEqualTo(a.diffId());
        assertThat(viaNative.toByteArray()).isEqualTo(viaJava.toByteArray());
    }
}
