package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Compression;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.testing.TarListing;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes through COPY, ADD and .dockerignore (issue 10), in a test JVM without a
 * locale (surefire drops LANG/LC_*): a context with UTF-8, Latin-1 and invalid UTF-8 names gives
 * layers whose names GNU tar lists with the same bytes.
 */
class FileNameBytesBuildTest {
    static final String DEBIAN = "NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem";
    static final byte[] LATIN1 = {'F', (byte) 0xf6, 't', (byte) 0xe9};
    static final byte[] INVALID = {'x', (byte) 0xff, (byte) 0xc3, '(', (byte) 0x80};

    @TempDir Path tmp;
    EngineFixture f;

    static String latin1() {
        return FileNames.decode(LATIN1);
    }

    static String invalid() {
        return FileNames.decode(INVALID);
    }

    static String bytes(String text) {
        return TarListing.bytes(text);
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(tmp);
        f.file("ctx/certs/" + DEBIAN, "cert\n");
        f.file("ctx/" + latin1() + "/" + invalid(), "invalid\n");
        f.file("ctx/" + "n".repeat(110) + latin1(), "long\n");
        f.file("ctx/café", "accent\n");
        Files.createSymbolicLink(FileNames.resolve(f.context, "ctx/link-" + invalid()),
                FileNames.path(latin1() + "/" + invalid()));
    }

    /** GNU tar's listing of a layer blob (see {@link TarListing}). */
    List<String> listing(LayerBlob layer) throws Exception {
        Path file = tmp.resolve("layer-" + System.nanoTime() + ".tar");
        try (InputStream in = Compression.autoDecompress(f.store.openBlob(layer.descriptor().digest()))) {
            Files.copy(in, file);
        }
        return TarListing.of(file);
    }

    @Test
    void copy_contextWithNonUtf8Names_layerKeepsTheBytes() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY ctx /data/\n");
        assertThat(listing(built.layers().get(2))).contains(
                "- data/certs/" + bytes(DEBIAN),
                "- data/" + bytes(latin1()) + "/" + bytes(invalid()),
                "- data/" + "n".repeat(110) + bytes(latin1()),
                "- data/" + bytes("café"),
                "l data/link-" + bytes(invalid()) + " -> " + bytes(latin1()) + "/" + bytes(invalid()));
    }

    @Test
    void copy_utf8SourceNamedInDockerfile_andGlobOverLatin1Bytes() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY ctx/café ctx/F?t?/x* /picked/\n");
        assertThat(listing(built.layers().get(2))).contains("- picked/" + bytes("café"),
                "- picked/" + bytes(invalid()));
        assertThat(f.read(built.layers().get(2), "picked/" + invalid())).isEqualTo("invalid\n");
    }

    @Test
    void dockerignore_patternWithLatin1Bytes_excludesThatName() throws Exception {
        ByteArrayOutputStream ignore = new ByteArrayOutputStream();
        ignore.writeBytes("ctx/".getBytes(StandardCharsets.US_ASCII));
        ignore.writeBytes(LATIN1);
        ignore.writeBytes("\nctx/certs/*_Főtanúsítvány.pem\n".getBytes(StandardCharsets.UTF_8));
        Files.write(f.context.resolve(".dockerignore"), ignore.toByteArray());
        BuiltImage built = f.build("FROM base\nCOPY ctx /data/\n");
        List<String> names = listing(built.layers().get(2));
        assertThat(names).contains("- data/" + bytes("café"), "d data/certs")
                .noneMatch(n -> n.substring(2).startsWith("data/" + bytes(latin1())))
                .noneMatch(n -> n.contains(".pem"));
    }

    @Test
    void add_archiveWithNonUtf8Names_extractedWithTheSameBytes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "ISO-8859-1")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (String name : List.of(bytes(latin1()) + "/", bytes(latin1()) + "/" + bytes(invalid()),
                    "etc/" + bytes(DEBIAN), "l".repeat(120) + bytes(latin1()), ".wh." + bytes(latin1()))) {
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(name.endsWith("/") ? 0 : 1);
                tar.putArchiveEntry(e);
                if (!name.endsWith("/")) {
                    tar.write('x');
                }
                tar.closeArchiveEntry();
            }
        }
        Files.write(f.context.resolve("names.tar"), bytes.toByteArray());
        BuiltImage built = f.build("FROM base\nADD names.tar /opt/\n");
        Map<String, TarArchiveEntry> entries = f.entries(built.layers().get(2));
        assertThat(entries).containsKeys("opt/" + latin1() + "/" + invalid(), "opt/etc/" + DEBIAN,
                "opt/" + "l".repeat(120) + latin1());
        // an ADD archive is not a layer: its .wh. file is a file, as in Docker
        assertThat(listing(built.layers().get(2))).contains("- opt/.wh." + bytes(latin1()),
                "- opt/" + bytes(latin1()) + "/" + bytes(invalid()));
    }
}
