package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTreeTest {
    @TempDir
    Path dir;

    /** A layer of entries "d NAME", "f NAME TEXT", "l NAME TARGET" (symlink), "h NAME TARGET" (hardlink). */
    private Path layer(String name, boolean gzip, String... entries) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(p);
                OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (String spec : entries) {
                String[] w = spec.split(" ", 3);
                TarArchiveEntry e;
                byte[] data = new byte[0];
                switch (w[0]) {
                    case "d" -> e = new TarArchiveEntry(w[1] + "/");
                    case "l" -> {
                        e = new TarArchiveEntry(w[1], TarArchiveEntry.LF_SYMLINK);
                        e.setLinkName(w[2]);
                    }
                    case "h" -> {
                        e = new TarArchiveEntry(w[1], TarArchiveEntry.LF_LINK);
                        e.setLinkName(w[2]);
                    }
                    default -> {
                        e = new TarArchiveEntry(w[1]);
                        data = w[2].getBytes(StandardCharsets.UTF_8);
                        e.setSize(data.length);
                        e.setMode(w[1].endsWith("suid") ? 0104755 : 0100644);
                        e.setIds(w[1].endsWith("suid") ? 7 : 0, 8);
                    }
                }
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return p;
    }

    @Test
    void fromLayers_whiteoutsRemoveLowerFilesAndTrees() throws IOException {
        ImageTree t = ImageTree.fromLayers(List.of(
                layer("1", true, "d etc", "f etc/group g", "d usr", "d usr/lib", "f usr/lib/x x", "f keep k"),
                layer("2", false, "d etc", "f etc/.wh.group ", "f .wh.usr ", "f new n")));
        assertThat(t.entries().keySet()).containsExactly("/etc", "/keep", "/new");
    }

    @Test
    void fromLayers_opaqueDirectory_hidesOnlyLowerContent() throws IOException {
        ImageTree t = ImageTree.fromLayers(List.of(
                layer("1", false, "d d", "f d/old o", "d d/sub", "f d/sub/x x"),
                layer("2", false, "d d", "f d/.wh..wh..opq ", "f d/new n")));
        assertThat(t.entries().keySet()).containsExactly("/d", "/d/new");
    }

    @Test
    void fromLayers_hardlinksGrouped_modesOwnersAndDigestsRead() throws IOException {
        ImageTree t = ImageTree.fromLayers(List.of(layer("1", true, "d bin", "f bin/suid s", "h bin/again bin/suid",
                "l bin/sh suid")));
        FsEntry suid = t.get("/bin/suid");
        assertThat(suid.mode()).isEqualTo(04755);
        assertThat(suid.uid()).isEqualTo(7);
        assertThat(suid.gid()).isEqualTo(8);
        assertThat(suid.size()).isEqualTo(1);
        assertThat(suid.digest()).isEqualTo(
                "sha256:043a718774c572bd8a25adbeb1bfcd5c0256ae11cecf9f9c3f925d0e52beaf89");
        assertThat(suid.hardlinks()).containsExactly("/bin/again", "/bin/suid");
        assertThat(t.get("/bin/again").hardlinks()).isEqualTo(suid.hardlinks());
        assertThat(t.get("/bin/sh").type()).isEqualTo(FsEntry.Type.SYMLINK);
        assertThat(t.get("/bin/sh").linkTarget()).isEqualTo("suid");
        assertThat(t.get("/bin/sh").hardlinks()).isEmpty();
    }

    @Test
    void fromLayers_fileReplacingDirectory_dropsItsContent() throws IOException {
        ImageTree t = ImageTree.fromLayers(List.of(layer("1", false, "d a", "f a/x x"), layer("2", false, "f a y")));
        assertThat(t.entries().keySet()).containsExactly("/a");
        assertThat(t.get("/a").type()).isEqualTo(FsEntry.Type.FILE);
    }

    @Test
    void normalize_tarNames() {
        assertThat(ImageTree.normalize("./a/b/")).isEqualTo("/a/b");
        assertThat(ImageTree.normalize("./")).isEqualTo("/");
        assertThat(ImageTree.normalize("a")).isEqualTo("/a");
    }
}
