package dev.kiln.oci.layer;

import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Layers crafted to write or delete outside the extraction root. Each must be refused or
 * contained; afterwards the parent temp dir holds exactly what it held before.
 */
class HostileLayerTest {
    /**
     * The options every extraction here starts from: java.nio's; the runtime module runs these
     * tests again with its native {@link FileWrites}.
     */
    LayerExtractor.Options defaults() {
        return LayerExtractor.Options.defaults();
    }

    @TempDir
    Path parent;

    Path root;
    Path victim;
    Path outsideDir;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(parent.resolve("root"));
        victim = Files.writeString(parent.resolve("victim"), "precious");
        outsideDir = Files.createDirectory(parent.resolve("outside"));
    }

    private void assertParentUntouched() throws Exception {
        try (Stream<Path> list = Files.list(parent)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("root", "victim", "outside");
        }
        assertThat(victim).hasContent("precious");
        try (Stream<Path> list = Files.list(outsideDir)) {
            assertThat(list).isEmpty();
        }
    }

    @Test
    void dotDotPath_refused() throws Exception {
        var tar = new TarBuilder().file("../victim", "pwned").file("ok", "x");
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class).hasMessageContaining("../victim");
        assertParentUntouched();
    }

    @Test
    void dotDotInsideName_climbingOut_refused() throws Exception {
        var tar = new TarBuilder().file("a/b/../../../victim", "pwned");
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class);
        assertParentUntouched();
    }

    @Test
    void absoluteName_landsInsideRoot() throws Exception {
        var tar = new TarBuilder().file(victim.toString(), "contained");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve(victim.toString().substring(1)))
                .hasContent("contained");
        assertParentUntouched();
    }

    @Test
    void absoluteSymlink_thenFileThroughIt_contained() throws Exception {
        var tar = new TarBuilder().symlink("escape", outsideDir.toString()).file("escape/planted", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        // the link is created as written, but the file went to <root>/<outsideDir>/planted
        assertThat(Files.readSymbolicLink(root.resolve("escape")).toString()).isEqualTo(outsideDir.toString());
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("planted")).hasContent("pwned");
        assertParentUntouched();
    }

    @Test
    void symlinkToParent_thenFileThroughIt_contained() throws Exception {
        var tar = new TarBuilder().symlink("up", "../..").file("up/victim", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve("victim")).hasContent("pwned");
        assertParentUntouched();
    }

    @Test
    void symlinkToParent_thenHardlinkThroughIt_refused() throws Exception {
        var tar = new TarBuilder().symlink("up", "..").hardlink("stolen", "up/victim");
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class).hasMessageContaining("up/victim");
        assertThat(root.resolve("stolen")).doesNotExist();
        assertParentUntouched();
    }

    @Test
    void hardlinkToAbsoluteHostFile_refused() throws Exception {
        var tar = new TarBuilder().hardlink("stolen", victim.toString());
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class);
        assertParentUntouched();
    }

    @Test
    void hardlinkNamedThroughSymlinkToParent_landsInside() throws Exception {
        var tar = new TarBuilder().file("target", "t").symlink("up", "..").hardlink("up/linked", "target");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve("linked")).hasContent("t");
        assertParentUntouched();
    }

    @Test
    void whiteoutAimedOutside_refusedOrContained() throws Exception {
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(new TarBuilder().file("../.wh.victim", "").stream(),
                root)).isInstanceOf(LayerException.class);
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(new TarBuilder().file(".wh..", "").stream(), root))
                .isInstanceOf(LayerException.class);
        new LayerExtractor(defaults()).extract(new TarBuilder().symlink("up", "..").file("up/.wh.victim", "").stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().symlink("abs", parent.toString())
                .file("abs/.wh.victim", "").file("abs/.wh.outside", "").stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().symlink("o", outsideDir.toString())
                .file("o/.wh..wh..opq", "").stream(), root);
        assertParentUntouched();
    }

    @Test
    void fileReplacingSymlinkToOutside_doesNotWriteThroughIt() throws Exception {
        Files.createSymbolicLink(root.resolve("link"), victim);
        new LayerExtractor(defaults()).extract(new TarBuilder().file("link", "new content").stream(), root);
        assertThat(Files.isSymbolicLink(root.resolve("link"))).isFalse();
        assertThat(root.resolve("link")).hasContent("new content");
        assertParentUntouched();
    }

    @Test
    void directoryEntryOverSymlinkToOutside_replacesLink() throws Exception {
        Files.createSymbolicLink(root.resolve("d"), outsideDir);
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("d", 0700).file("d/f", "x").stream(), root);
        assertThat(Files.isDirectory(root.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("d/f")).hasContent("x");
        assertParentUntouched();
    }

    @Test
    void symlinkLoop_refusedNotHung() throws Exception {
        var tar = new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "loop");
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class).hasMessageContaining("symbolic links");
        assertParentUntouched();
    }

    /**
     * Issue 11 finding 2: directory metadata is applied after all entries; a later entry that
     * swaps the directory's parent for a symlink to a host directory must not redirect it there.
     */
    @Test
    void swappedParent_deferredDirectoryMetadata_notAppliedOutside() throws Exception {
        Path hostDir = Files.createDirectory(outsideDir.resolve("c"));
        Files.setPosixFilePermissions(hostDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(hostDir);
        var tar = new TarBuilder().dir("p", 0755).dir("p/c", 0777).symlink("p", outsideDir.toString());
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(Files.readSymbolicLink(root.resolve("p")).toString()).isEqualTo(outsideDir.toString());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(hostDir)))
                .isEqualTo("rwx------");
        assertThat(Files.getLastModifiedTime(hostDir)).isEqualTo(before);
    }

    /** The same swap one level up: the grandparent of the deferred directory becomes the link. */
    @Test
    void swappedGrandparent_deferredDirectoryMetadata_notAppliedOutside() throws Exception {
        Path hostDir = Files.createDirectories(outsideDir.resolve("b/c"));
        Files.setPosixFilePermissions(hostDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(hostDir);
        var tar = new TarBuilder().dir("a", 0755).dir("a/b", 0755).dir("a/b/c", 0777)
                .symlink("a", outsideDir.toString());
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(hostDir)))
                .isEqualTo("rwx------");
        assertThat(Files.getLastModifiedTime(hostDir)).isEqualTo(before);
    }

    // The extractor remembers parent directories it has prepared; these layers make a directory,
    // use it, then turn its name into a symlink to a host directory and write through the name.

    @Test
    void directoryReplacedBySymlinkToOutside_thenFileUnderTheName_contained() throws Exception {
        var tar = new TarBuilder().dir("a", 0755).file("a/f1", "1").file("a/f2", "2")
                .symlink("a", outsideDir.toString()).file("a/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(Files.readSymbolicLink(root.resolve("a")).toString()).isEqualTo(outsideDir.toString());
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("x")).hasContent("pwned");
        assertParentUntouched();
    }

    @Test
    void directoryWhitedOut_thenSymlinkToOutside_thenFileUnderTheName_contained() throws Exception {
        var tar = new TarBuilder().dir("a", 0755).file("a/f1", "1").file(".wh.a", "")
                .symlink("a", outsideDir.toString()).file("a/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("x")).hasContent("pwned");
        assertParentUntouched();
    }

    @Test
    void opaqueParent_thenSymlinkToOutside_thenFileUnderTheName_contained() throws Exception {
        Files.createDirectories(root.resolve("p/a"));
        Files.writeString(root.resolve("p/a/lower"), "from a lower layer");
        var tar = new TarBuilder().file("p/a/f1", "1").file("p/.wh..wh..opq", "")
                .symlink("p/a", outsideDir.toString()).file("p/a/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("x")).hasContent("pwned");
        assertParentUntouched();
    }

    @Test
    void grandparentReplacedBySymlinkToOutside_thenFileTwoLevelsDown_contained() throws Exception {
        Files.createDirectory(outsideDir.resolve("b"));
        var tar = new TarBuilder().dir("a", 0755).dir("a/b", 0755).file("a/b/f", "1")
                .file("a", "now a file").symlink("a", outsideDir.toString()).file("a/b/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("b/x")).hasContent("pwned");
        assertThat(outsideDir.resolve("b")).isEmptyDirectory();
        Files.delete(outsideDir.resolve("b"));
        assertParentUntouched();
    }

    @Test
    void directoryReplacedByHardlinkedFile_thenFileUnderTheName_refused() throws Exception {
        var tar = new TarBuilder().file("t", "target").dir("a", 0755).file("a/f1", "1")
                .hardlink("a", "t").file("a/x", "pwned");
        assertThatThrownBy(() -> new LayerExtractor(defaults()).extract(tar.stream(), root))
                .isInstanceOf(LayerException.class).hasMessageContaining("not a directory");
        assertThat(root.resolve("t")).hasContent("target");
        assertParentUntouched();
    }

    /** A hardlink to a symlink puts a symlink at a name without making a symlink. */
    @Test
    void directoryWhitedOut_thenHardlinkToSymlinkToOutside_thenFileUnderTheName_contained() throws Exception {
        var tar = new TarBuilder().symlink("s", outsideDir.toString()).dir("a", 0755).file("a/f1", "1")
                .file(".wh.a", "").hardlink("a", "s").file("a/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(Files.isSymbolicLink(root.resolve("a"))).isTrue();
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("x")).hasContent("pwned");
        assertParentUntouched();
    }

    /** The device node is skipped (not permitted here), so the opaque marker removes its lower parent. */
    @Test
    void opaqueRemovesLowerParent_thenHardlinkToSymlinkToOutside_thenFileUnderTheName_contained() throws Exception {
        Files.createDirectories(root.resolve("p/a"));
        var tar = new TarBuilder().symlink("s", outsideDir.toString())
                .device("p/a/null", TarConstants.LF_CHR, 1, 3).file("p/.wh..wh..opq", "")
                .hardlink("p/a", "s").file("p/a/x", "pwned");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(Files.isSymbolicLink(root.resolve("p/a"))).isTrue();
        assertThat(root.resolve(outsideDir.toString().substring(1)).resolve("x")).hasContent("pwned");
        assertParentUntouched();
    }

    /** A symlink made later can change where an earlier symlink's {@code ..} target leads. */
    @Test
    void symlinkThroughMissingNameAndDotDot_thenTheNameBecomesASymlink_followsTheNewLink() throws Exception {
        var tar = new TarBuilder().symlink("l", "m/../d").file("l/f1", "1")
                .dir("s", 0755).dir("s/t", 0755).symlink("m", "s/t").file("l/f2", "2");
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(root.resolve("d/f1")).hasContent("1");
        assertThat(root.resolve("s/d/f2")).hasContent("2");
        assertParentUntouched();
    }
}
