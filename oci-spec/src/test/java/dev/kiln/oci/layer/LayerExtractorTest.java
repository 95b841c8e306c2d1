package dev.kiln.oci.layer;

import dev.kiln.oci.testing.TestImages;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LayerExtractorTest {
    /**
     * The options every extraction here starts from: java.nio's; the runtime module runs these
     * tests again with its native {@link FileWrites}.
     */
    LayerExtractor.Options defaults() {
        return LayerExtractor.Options.defaults();
    }

    @TempDir
    Path root;

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void extract_gzipLayer_writesFilesAndReportsSizeAndEntries() throws Exception {
        byte[] plain = new TarBuilder().dir("etc", 0755).file("etc/hostname", "kiln\n").bytes();
        ExtractResult result = new LayerExtractor(defaults()).extract(new ByteArrayInputStream(TestImages.gzip(plain)), root);
        assertThat(root.resolve("etc/hostname")).hasContent("kiln");
        assertThat(result.uncompressedSize()).isEqualTo(plain.length);
        assertThat(result.entries()).isEqualTo(2);
    }

    @Test
    void extract_modesIncludingSetuidAndSticky_applied() throws Exception {
        var tar = new TarBuilder().dir("tmp", 01777).dir("ro", 0555).file("ro/su", "x", 04755).file("secret", "s", 0600);
        new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(mode(root.resolve("tmp"))).isEqualTo(01777);
        assertThat(mode(root.resolve("ro"))).isEqualTo(0555);
        assertThat(mode(root.resolve("ro/su"))).isEqualTo(04755);
        assertThat(mode(root.resolve("secret"))).isEqualTo(0600);
    }

    @Test
    void extract_ownerAccess_addsOwnerBitsOnly() throws Exception {
        var tar = new TarBuilder().dir("locked", 0).file("locked/f", "x", 0).file("exec", "x", 0111);
        new LayerExtractor(defaults().withOwnerAccess(true)).extract(tar.stream(), root);
        assertThat(mode(root.resolve("locked"))).isEqualTo(0700);
        assertThat(mode(root.resolve("locked/f"))).isEqualTo(0600);
        assertThat(mode(root.resolve("exec"))).isEqualTo(0711);
    }

    @Test
    void extract_mtimes_appliedToFilesAndDirectories() throws Exception {
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("d", 0755).file("d/f", "x").stream(), root);
        Instant expected = Instant.ofEpochMilli(1_000_000_000_000L);
        assertThat(Files.getLastModifiedTime(root.resolve("d/f")).toInstant()).isEqualTo(expected);
        assertThat(Files.getLastModifiedTime(root.resolve("d")).toInstant()).isEqualTo(expected);
    }

    @Test
    void extract_hardlink_sharesInode() throws Exception {
        new LayerExtractor(defaults()).extract(new TarBuilder().file("a", "same").hardlink("b", "a").stream(), root);
        assertThat(Files.getAttribute(root.resolve("b"), "unix:ino"))
                .isEqualTo(Files.getAttribute(root.resolve("a"), "unix:ino"));
    }

    @Test
    void extract_overExistingHardlinkedFile_doesNotChangeOtherLink() throws Exception {
        Files.writeString(root.resolve("a"), "original");
        Files.createLink(root.resolve("b"), root.resolve("a"));
        new LayerExtractor(defaults()).extract(new TarBuilder().file("b", "replaced").stream(), root);
        assertThat(root.resolve("a")).hasContent("original");
        assertThat(root.resolve("b")).hasContent("replaced");
    }

    @Test
    void extract_symlinkedParentFromLowerLayer_followedInsideRoot() throws Exception {
        // usrmerge: /lib -> usr/lib and /bin -> /usr/bin in the base, files added through them later
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("usr/lib", 0755).dir("usr/bin", 0755)
                .symlink("lib", "usr/lib").symlink("bin", "/usr/bin").stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().file("lib/libx.so", "elf").file("bin/tool", "sh").stream(), root);
        assertThat(root.resolve("usr/lib/libx.so")).hasContent("elf");
        assertThat(root.resolve("usr/bin/tool")).hasContent("sh");
        assertThat(Files.isSymbolicLink(root.resolve("lib"))).isTrue();
    }

    @Test
    void extract_flattenWhiteouts_deleteFileAndDirectory() throws Exception {
        new LayerExtractor(defaults()).extract(new TarBuilder().file("keep", "k").file("gone", "g").dir("dir", 0755)
                .file("dir/inner", "i").stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().file(".wh.gone", "").file(".wh.dir", "").stream(), root);
        assertThat(root.resolve("keep")).exists();
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(root.resolve("dir")).doesNotExist();
        assertThat(root.resolve(".wh.gone")).doesNotExist();
    }

    @Test
    void extract_opaqueDirectory_keepsOnlyThisLayersEntries() throws Exception {
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("d", 0755).file("d/old1", "1").file("d/old2", "2")
                .stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("d", 0755).file("d/-early", "e")
                .file("d/.wh..wh..opq", "").file("d/new", "n").stream(), root);
        try (var list = Files.list(root.resolve("d"))) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("-early", "new");
        }
    }

    @Test
    void extract_recordingWhiteouts_recordsWithoutDeleting() throws Exception {
        Files.writeString(root.resolve("gone"), "still here");
        RecordingWhiteouts recorder = new RecordingWhiteouts();
        new LayerExtractor(defaults().withWhiteouts(recorder))
                .extract(new TarBuilder().file(".wh.gone", "").file("a/b/.wh.c", "").file("x/.wh..wh..opq", "")
                        .stream(), root);
        assertThat(recorder.whiteouts()).containsExactly("gone", "a/b/c");
        assertThat(recorder.opaqueDirs()).containsExactly("x");
        assertThat(root.resolve("gone")).hasContent("still here");
        assertThat(root.resolve("a")).doesNotExist(); // no directories made for whiteouts
    }

    @Test
    void extract_handlerThatNeedsParents_getsThemCreated() throws Exception {
        List<String> seen = new ArrayList<>();
        WhiteoutHandler overlayLike = new WhiteoutHandler() {
            @Override
            public void whiteout(Path target, String relativePath) {
                seen.add(relativePath + " parent exists: " + Files.isDirectory(target.getParent()));
            }

            @Override
            public void opaque(Path dir, String relativePath, java.util.Set<Path> keep) {
                seen.add(relativePath + " exists: " + Files.isDirectory(dir));
            }

            @Override
            public boolean createsParentDirectories() {
                return true;
            }
        };
        new LayerExtractor(defaults().withWhiteouts(overlayLike))
                .extract(new TarBuilder().file("a/b/.wh.c", "").file("x/.wh..wh..opq", "").stream(), root);
        assertThat(seen).containsExactly("a/b/c parent exists: true", "x exists: true");
    }

    @Test
    void extract_deviceNode_skippedWithJavaOpsAndPassedToPluggedOps() throws Exception {
        var tar = new TarBuilder().device("dev/null", TarArchiveEntry.LF_CHR, 1, 3).file("after", "x");
        ExtractResult result = new LayerExtractor(defaults()).extract(tar.stream(), root);
        assertThat(result.skipped()).singleElement().asString().contains("dev/null").contains("device node");
        assertThat(root.resolve("after")).exists();

        List<String> calls = new ArrayList<>();
        FileOps recording = new FileOps() {
            @Override
            public void chown(Path path, int uid, int gid) {
            }

            @Override
            public void setXattr(Path path, String name, byte[] value) {
            }

            @Override
            public void mknod(Path path, char type, int mode, int major, int minor) {
                calls.add(root.relativize(path) + " " + type + " " + major + ":" + minor);
            }
        };
        Path other = Files.createDirectory(root.resolve("other"));
        var tar2 = new TarBuilder().device("dev/null", TarArchiveEntry.LF_CHR, 1, 3);
        new LayerExtractor(defaults().withFileOps(recording)).extract(tar2.stream(), other);
        assertThat(calls).containsExactly("other/dev/null c 1:3");
    }

    @Test
    void extract_intoReadOnlyDirOfEarlierLayer_asUser_worksAndKeepsMode() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root writes into read-only directories anyway; this checks the unprivileged path");
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("ro", 0555).dir("ro/sub", 0555).stream(), root);
        assertThat(Files.isWritable(root.resolve("ro"))).isFalse();
        new LayerExtractor(defaults()).extract(new TarBuilder().file("ro/new", "n").file("ro/sub/deeper/f", "d").stream(), root);
        assertThat(root.resolve("ro/new")).hasContent("n");
        assertThat(root.resolve("ro/sub/deeper/f")).hasContent("d");
        assertThat(mode(root.resolve("ro"))).isEqualTo(0555);
        assertThat(mode(root.resolve("ro/sub"))).isEqualTo(0555);
        // let @TempDir clean up
        Files.setAttribute(root.resolve("ro/sub"), "unix:mode", 0755);
        Files.setAttribute(root.resolve("ro"), "unix:mode", 0755);
    }

    @Test
    void extract_fileWhereDirectoryWas_replacesIt() throws Exception {
        new LayerExtractor(defaults()).extract(new TarBuilder().dir("x", 0755).file("x/y", "1").stream(), root);
        new LayerExtractor(defaults()).extract(new TarBuilder().file("x", "now a file").stream(), root);
        assertThat(root.resolve("x")).hasContent("now a file");
    }
}
