package dev.kiln.oci.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.KilnException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Links in an image archive: returned relative to the archive root, never leading out of it. */
class ArchiveTarTest {
    @TempDir Path tmp;

    @Test
    void extract_symlinkUpAndDown_resolvedFromItsDirectory() throws Exception {
        assertThat(ArchiveTar.extract(new ByteArrayInputStream(symlink("a/b/link", "../c/./f")), tmp))
                .containsEntry("a/b/link", "a/c/f");
        assertThat(ArchiveTar.extract(new ByteArrayInputStream(symlink("top", "x//y")), tmp))
                .containsEntry("top", "x/y");
    }

    @Test
    void extract_symlinkClimbingAboveTheArchive_refused() throws Exception {
        byte[] evil = symlink("a/link", "../../etc/passwd");
        assertThatThrownBy(() -> ArchiveTar.extract(new ByteArrayInputStream(evil), tmp))
                .isInstanceOf(KilnException.class).hasMessageContaining("leaves the archive");
    }

    @Test
    void extract_absoluteSymlink_refused() throws Exception {
        byte[] evil = symlink("link", "/etc/passwd");
        assertThatThrownBy(() -> ArchiveTar.extract(new ByteArrayInputStream(evil), tmp))
                .isInstanceOf(KilnException.class).hasMessageContaining("absolute");
    }

    /** GNU {@code tar -C layout -cf x.tar .} starts with the entry {@code ./}: the root, not an unclean name. */
    @Test
    void extract_rootEntryDotSlash_isTheRoot() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.putArchiveEntry(new TarArchiveEntry("./"));
            tar.closeArchiveEntry();
            tar.putArchiveEntry(new TarArchiveEntry("./blobs/"));
            tar.closeArchiveEntry();
        }
        assertThat(ArchiveTar.extract(new ByteArrayInputStream(out.toByteArray()), tmp)).isEmpty();
        assertThat(tmp.resolve("blobs")).isDirectory();
    }

    @Test
    void cleanName_isAValidatorNotACleaner() {
        assertThat(ArchiveTar.cleanName("./blobs/sha256/")).isEqualTo("blobs/sha256");
        assertThat(ArchiveTar.cleanName("./")).isEmpty();
        for (String unclean : new String[] {"a/../b", "a//b", "a/./b", "..", "/index.json"}) {
            assertThatThrownBy(() -> ArchiveTar.cleanName(unclean)).isInstanceOf(KilnException.class);
        }
    }

    private static byte[] symlink(String name, String target) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
