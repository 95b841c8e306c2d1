package dev.kiln.builder.engine.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 finding 9: ADD archives and tar build contexts go through the one SafeRoot-based layer
 * extractor, so the attacks it contains are contained here too.
 */
class ArchiveExtractionTest {
    @TempDir Path tmp;
    Path outside;
    FileTime outsideTime;

    @BeforeEach
    void setUp() throws Exception {
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwx------"));
        outsideTime = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(outside, outsideTime);
    }

    /** A directory entry, then the same name as a symlink to a host directory. */
    Path swappedDirectoryTar() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry dir = new TarArchiveEntry("x/");
            dir.setMode(0777);
            dir.setModTime(1_000_000_000_000L);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("x", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(outside.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        return Files.write(tmp.resolve("swap.tar"), bytes.toByteArray());
    }

    @Test
    void contextArchive_directorySwappedForSymlink_hostDirectoryUntouched() throws Exception {
        Path context = Files.createDirectory(tmp.resolve("context"));
        ContextArchive.extract(swappedDirectoryTar(), context);
        assertThat(Files.readSymbolicLink(context.resolve("x"))).isEqualTo(outside);
        assertThat(Files.getLastModifiedTime(outside)).isEqualTo(outsideTime);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside))).isEqualTo("rwx------");
    }

    @Test
    void add_directorySwappedForSymlink_hostDirectoryUntouched() throws Exception {
        Path layer = Files.createDirectory(tmp.resolve("layer"));
        Map<String, dev.kiln.builder.snapshot.Owner> owners = Archives.extract(swappedDirectoryTar(), layer, "opt", null);
        assertThat(owners).containsKey("opt/x");
        assertThat(Files.getLastModifiedTime(outside)).isEqualTo(outsideTime);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside))).isEqualTo("rwx------");
    }

    @Test
    void add_entryClimbingOut_refusedWithTheArchiveNamed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry("../../escaped");
            e.setSize(1);
            tar.putArchiveEntry(e);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        Path archive = Files.write(tmp.resolve("climb.tar"), bytes.toByteArray());
        Path layer = Files.createDirectory(tmp.resolve("layer"));
        assertThatThrownBy(() -> Archives.extract(archive, layer, "opt", null))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("climb.tar")
                .hasMessageContaining("../../escaped");
        assertThat(tmp.resolve("escaped")).doesNotExist();
        assertThat(layer.resolve("escaped")).doesNotExist();
    }
}
