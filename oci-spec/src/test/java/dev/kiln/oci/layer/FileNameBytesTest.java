package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.testing.TarListing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * File names are bytes (issue 10): layers made by GNU tar from a tree with UTF-8, Latin-1 and
 * invalid UTF-8 names (long ones, symlink and hardlink targets, whiteouts) go through extract →
 * scan → write and GNU tar lists the result with the same bytes. The test JVM has no locale
 * (surefire drops LANG/LC_*), where the JVM's own String route throws on such names.
 */
class FileNameBytesTest {
    static final String DEBIAN = "NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem";
    static final byte[] LATIN1 = {'F', (byte) 0xf6, 't', (byte) 0xe9};
    static final byte[] INVALID = {'x', (byte) 0xff, (byte) 0xc3, '(', (byte) 0x80};

    @TempDir
    Path tmp;
    Path tree;

    static String latin1() {
        return FileNames.decode(LATIN1);
    }

    static String invalid() {
        return FileNames.decode(INVALID);
    }

    static String longName() {
        return "l".repeat(120) + latin1();
    }

    @BeforeEach
    void makeTree() throws Exception {
        tree = Files.createDirectory(tmp.resolve("tree"));
        Path certs = Files.createDirectories(FileNames.resolve(tree, "etc/ssl/" + latin1()));
        Files.writeString(FileNames.resolve(certs, DEBIAN), "cert\n");
        Files.writeString(FileNames.resolve(certs, invalid()), "invalid\n");
        Path deep = Files.createDirectories(FileNames.resolve(tree, "d".repeat(90) + "/" + invalid()));
        Files.writeString(FileNames.resolve(deep, longName()), "long\n");
        Files.createSymbolicLink(FileNames.resolve(tree, "link-" + latin1()),
                FileNames.path("etc/ssl/" + latin1() + "/" + DEBIAN));
        Files.createSymbolicLink(FileNames.resolve(tree, "abs-link"), FileNames.path("/" + invalid() + "/" + longName()));
        Files.createLink(FileNames.resolve(tree, "hard-" + invalid()), FileNames.resolve(certs, invalid()));
    }

    /** GNU tar's listing of a tar, sorted (its order is not what is compared). */
    List<String> listing(byte[] tarBytes) throws Exception {
        Path file = Files.write(tmp.resolve("listed-" + System.nanoTime() + ".tar"), tarBytes);
        List<String> names = new ArrayList<>(TarListing.of(file));
        names.sort(null);
        return names;
    }

    byte[] gnuTar(String format) throws Exception {
        Path out = tmp.resolve(format + ".tar");
        ProcessBuilder pb = new ProcessBuilder("tar", "--format=" + format, "--sort=name", "-cf", out.toString(),
                "-C", tree.toString(), ".");
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(p.waitFor()).as(log).isZero();
        return Files.readAllBytes(out);
    }

    byte[] roundTrip(byte[] layer) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root-" + System.nanoTime()));
        new LayerExtractor().extract(new ByteArrayInputStream(layer), root);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)).writeDirectory(root, out);
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix", "gnu"})
    void extractScanWrite_gnuTarLayer_namesAndTargetsByteExact(String format) throws Exception {
        byte[] original = gnuTar(format);
        List<String> before = listing(original);
        assertThat(String.join("\n", before)).contains(new String(LATIN1, StandardCharsets.ISO_8859_1))
                .contains(new String(DEBIAN.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))
                .contains("h hard-" + new String(INVALID, StandardCharsets.ISO_8859_1) + " link to ");
        byte[] written = roundTrip(original);
        assertThat(listing(written)).isEqualTo(before);
        // and once more: what kiln wrote, kiln reads back the same
        assertThat(listing(roundTrip(written))).isEqualTo(before);
    }

    @Test
    void scan_namesInTextForm_sortedByBytes() throws Exception {
        List<String> paths = new ArrayList<>();
        for (LayerEntry e : new LayerWriter().scan(tree)) {
            paths.add(e.path() + (e.linkTarget() == null ? "" : " -> " + e.linkTarget()));
        }
        assertThat(paths).contains("etc/ssl/" + latin1() + "/" + DEBIAN,
                "link-" + latin1() + " -> etc/ssl/" + latin1() + "/" + DEBIAN,
                "abs-link -> /" + invalid() + "/" + longName(),
                "d".repeat(90) + "/" + invalid() + "/" + longName());
        List<String> top = paths.stream().filter(p -> !p.contains("/") || p.startsWith("abs-link")).toList();
        List<String> sorted = new ArrayList<>(top);
        sorted.sort((a, b) -> Arrays.compareUnsigned(FileNames.encode(a), FileNames.encode(b)));
        assertThat(top).isEqualTo(sorted);
    }

    @Test
    void whiteout_ofNonUtf8Name_deletesThatFileAndIsRecordedExactly() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        new LayerExtractor().extract(new ByteArrayInputStream(gnuTar("posix")), root);
        Path victim = FileNames.resolve(root, "etc/ssl/" + latin1() + "/" + invalid());
        assertThat(victim).exists();

        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE))
                .write(List.of(LayerEntry.whiteout("etc/ssl/" + latin1() + "/" + invalid()),
                        LayerEntry.whiteout("d".repeat(90) + "/" + invalid() + "/" + longName())), layer);
        assertThat(listing(layer.toByteArray())).contains("- etc/ssl/" + new String(LATIN1, StandardCharsets.ISO_8859_1)
                + "/.wh." + new String(INVALID, StandardCharsets.ISO_8859_1));

        RecordingWhiteouts recorded = new RecordingWhiteouts();
        new LayerExtractor(LayerExtractor.Options.defaults().withWhiteouts(recorded))
                .extract(new ByteArrayInputStream(layer.toByteArray()), Files.createDirectory(tmp.resolve("rec")));
        assertThat(recorded.whiteouts()).containsExactly("d".repeat(90) + "/" + invalid() + "/" + longName(),
                "etc/ssl/" + latin1() + "/" + invalid());

        new LayerExtractor().extract(new ByteArrayInputStream(layer.toByteArray()), root);
        assertThat(victim).doesNotExist();
        assertThat(FileNames.resolve(root, "etc/ssl/" + latin1() + "/" + DEBIAN)).hasContent("cert");
        assertThat(FileNames.resolve(root, "d".repeat(90) + "/" + invalid() + "/" + longName())).doesNotExist();
    }

    @Test
    void xattr_binaryValue_keptByteExact() throws Exception {
        Path file = FileNames.resolve(tree, "etc/ssl/" + latin1() + "/" + DEBIAN);
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        byte[] value = {(byte) 0xff, 0, (byte) 0x80, 'a', (byte) 0xc3};
        try {
            view.write("kiln.bin", ByteBuffer.wrap(value));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("no user xattrs on " + tmp + ": " + e);
        }
        Path root = Files.createDirectory(tmp.resolve("root"));
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        new LayerWriter().writeDirectory(tree, layer);
        new LayerExtractor().extract(new ByteArrayInputStream(layer.toByteArray()), root);
        UserDefinedFileAttributeView back = Files.getFileAttributeView(
                FileNames.resolve(root, "etc/ssl/" + latin1() + "/" + DEBIAN), UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        ByteBuffer read = ByteBuffer.allocate(back.size("kiln.bin"));
        back.read("kiln.bin", read);
        assertThat(read.array()).isEqualTo(value);
    }
}
