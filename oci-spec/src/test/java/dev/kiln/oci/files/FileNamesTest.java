package dev.kiln.oci.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names as bytes, whatever the JVM's locale: the test JVM runs without LANG/LC_* (see the
 * surefire configuration), so {@code sun.jnu.encoding} is ASCII here and every non-ASCII name
 * would throw or turn into '?' on the JVM's own String route.
 */
class FileNamesTest {
    static final byte[] UTF8 = "Főtanúsítvány café".getBytes(StandardCharsets.UTF_8);
    static final byte[] LATIN1 = {'F', (byte) 0xf6, 't', (byte) 0xe9};
    static final byte[] INVALID = {'x', (byte) 0xff, (byte) 0xc3, '(', (byte) 0xed, (byte) 0xb2, (byte) 0x80, 'y'};

    @TempDir
    Path dir;

    @Test
    void jvm_runsWithoutUtf8Locale() {
        assertThat(System.getenv("LANG")).as("surefire drops LANG").isNull();
        assertThat(System.getenv("LC_ALL")).isNull();
    }

    @Test
    void decode_validUtf8_isPlainText() {
        assertThat(FileNames.decode(UTF8)).isEqualTo("Főtanúsítvány café");
        assertThat(FileNames.encode("Főtanúsítvány café")).isEqualTo(UTF8);
    }

    @Test
    void decode_invalidBytes_escapedAndRoundTrip() {
        assertThat(FileNames.decode(LATIN1)).isEqualTo("F\uDCF6t\uDCE9");
        for (byte[] name : List.of(UTF8, LATIN1, INVALID, "😀".getBytes(StandardCharsets.UTF_8))) {
            assertThat(FileNames.encode(FileNames.decode(name))).isEqualTo(name);
        }
    }

    @Test
    void resolveAndName_byteExactOnDisk() throws Exception {
        for (byte[] raw : List.of(UTF8, LATIN1, INVALID)) {
            String name = FileNames.decode(raw);
            Path file = FileNames.resolve(dir, "sub/" + name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "x");
            assertThat(FileNames.name(file)).isEqualTo(name);
            assertThat(FileNames.relative(dir, file)).isEqualTo("sub/" + name);
        }
        List<String> listed = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir.resolve("sub"))) {
            children.forEach(p -> listed.add(FileNames.name(p)));
        }
        assertThat(listed).containsExactlyInAnyOrder(FileNames.decode(UTF8), FileNames.decode(LATIN1),
                FileNames.decode(INVALID));
        // the bytes on disk, as the kernel has them
        Process ls = new ProcessBuilder("ls", "-1", dir.resolve("sub").toString()).start();
        byte[] out = ls.getInputStream().readAllBytes();
        assertThat(ls.waitFor()).isZero();
        assertThat(new String(out, StandardCharsets.ISO_8859_1).split("\n")).containsExactlyInAnyOrder(
                new String(UTF8, StandardCharsets.ISO_8859_1), new String(LATIN1, StandardCharsets.ISO_8859_1),
                new String(INVALID, StandardCharsets.ISO_8859_1));
    }

    @Test
    void text_ofDirectoryAndSymlinkTarget_exact() throws Exception {
        String name = FileNames.decode(LATIN1);
        Path sub = Files.createDirectory(FileNames.resolve(dir, name));
        assertThat(FileNames.text(sub)).isEqualTo(FileNames.text(dir) + "/" + name);
        Path link = Files.createSymbolicLink(dir.resolve("link"), FileNames.path("../" + name));
        assertThat(FileNames.text(Files.readSymbolicLink(link))).isEqualTo("../" + name);
        Path absolute = Files.createSymbolicLink(dir.resolve("abs"), FileNames.path("/" + name + "/x"));
        assertThat(FileNames.text(Files.readSymbolicLink(absolute))).isEqualTo("/" + name + "/x");
        assertThat(Files.isDirectory(FileNames.path(FileNames.text(sub)), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void compare_ordersByBytes() {
        assertThat(FileNames.compare("a", "b")).isNegative();
        // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) by bytes, after it by UTF-16 chars
        assertThat(FileNames.compare("\uFF21", "😀")).isNegative();
        assertThat(FileNames.compare(FileNames.decode(LATIN1), "F\u00f6")).isPositive(); // F6 > C3
    }

    @Test
    void latin1Form_roundTrips() {
        String name = FileNames.decode(INVALID);
        assertThat(FileNames.toLatin1(name).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(INVALID);
        assertThat(FileNames.fromLatin1(FileNames.toLatin1(name))).isEqualTo(name);
    }
}
