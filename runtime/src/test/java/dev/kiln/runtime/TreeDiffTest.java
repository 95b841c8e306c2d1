package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.layer.OverlayMarkers;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy + tree-walk snapshot: what a process changed in a copied root, as an overlay upper dir. */
class TreeDiffTest {
    @TempDir Path tmp;
    Path root;
    Path upper;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        upper = tmp.resolve("upper");
        Files.createDirectories(root.resolve("etc/deep/er"));
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/deep/er/file"), "deep");
        Files.createDirectories(root.resolve("var/lib/gone"));
        Files.writeString(root.resolve("var/lib/gone/a"), "a");
        Files.createDirectories(root.resolve("opt/again"));
        Files.writeString(root.resolve("opt/again/old"), "old");
        Files.createSymbolicLink(root.resolve("link"), Path.of("etc/group"));
        Files.writeString(root.resolve("same-size"), "aaaa");
    }

    private List<String> upperEntries() throws IOException {
        try (Stream<Path> s = Files.walk(upper)) {
            return s.filter(p -> !p.equals(upper)).map(p -> upper.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void unchangedTree_writesNothing() throws IOException {
        TreeDiff diff = TreeDiff.record(root);
        assertThat(diff.moveChangesTo(root, upper)).isZero();
        assertThat(upperEntries()).isEmpty();
    }

    @Test
    void createdFile_isMovedWithItsParents_andParentsKeepTheirMetadata() throws IOException {
        Files.setPosixFilePermissions(root.resolve("etc/deep"), PosixFilePermissions.fromString("rwx--x---"));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(root.resolve("etc"), old);
        TreeDiff diff = TreeDiff.record(root);
        Files.writeString(root.resolve("etc/deep/er/new"), "new");
        Files.setLastModifiedTime(root.resolve("etc"), old);

        diff.moveChangesTo(root, upper);

        assertThat(upperEntries()).containsExactly("etc", "etc/deep", "etc/deep/er", "etc/deep/er/new");
        assertThat(Files.readString(upper.resolve("etc/deep/er/new"))).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(upper.resolve("etc/deep"))))
                .isEqualTo("rwx--x---");
        assertThat(Files.getLastModifiedTime(upper.resolve("etc"))).isEqualTo(old);
    }

    @Test
    void deletions_becomeWhiteouts_aDeletedDirectoryOnlyOne() throws IOException {
        TreeDiff diff = TreeDiff.record(root);
        Files.delete(root.resolve("etc/group"));
        Files.delete(root.resolve("var/lib/gone/a"));
        Files.delete(root.resolve("var/lib/gone"));

        diff.moveChangesTo(root, upper);

        assertThat(OverlayMarkers.isWhiteout(upper.resolve("etc/group"))).isTrue();
        assertThat(OverlayMarkers.isWhiteout(upper.resolve("var/lib/gone"))).isTrue();
        assertThat(upperEntries()).containsExactly("etc", "etc/group", "var", "var/lib", "var/lib/gone");
    }

    @Test
    void directoryDeletedAndMadeAgain_hidesTheOldEntries() throws IOException {
        TreeDiff diff = TreeDiff.record(root);
        Files.delete(root.resolve("opt/again/old"));
        Files.delete(root.resolve("opt/again"));
        Files.createDirectory(root.resolve("opt/again"));
        Files.writeString(root.resolve("opt/again/fresh"), "fresh");

        diff.moveChangesTo(root, upper);

        // a new inode makes it opaque; the file system may hand out the old inode again, and
        // then the old entry gets a whiteout: the same merged tree either way
        assertThat(OverlayMarkers.isOpaque(upper.resolve("opt/again"))
                || OverlayMarkers.isWhiteout(upper.resolve("opt/again/old"))).isTrue();
        assertThat(Files.readString(upper.resolve("opt/again/fresh"))).isEqualTo("fresh");
    }

    @Test
    void changes_thatKeepSizeAndMtime_areFoundByCtimeOrInode() throws IOException {
        FileTime mtime = Files.getLastModifiedTime(root.resolve("same-size"));
        TreeDiff diff = TreeDiff.record(root);
        sleepPastTheClockTick();
        Files.writeString(root.resolve("same-size"), "bbbb");
        Files.setLastModifiedTime(root.resolve("same-size"), mtime);
        Path replacement = Files.writeString(root.resolve("etc/passwd.new"), "root:x:0:0::/root:/bin/ash\n");
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(root.resolve("etc/passwd")));
        Files.move(replacement, root.resolve("etc/passwd"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(root.resolve("link"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("etc/passwd"));

        diff.moveChangesTo(root, upper);

        assertThat(upperEntries()).contains("same-size", "etc/passwd", "link");
        assertThat(Files.readString(upper.resolve("same-size"))).isEqualTo("bbbb");
        assertThat(Files.readSymbolicLink(upper.resolve("link"))).isEqualTo(Path.of("etc/passwd"));
    }

    /** {@code kiln run} of a stopped container again: its upper dir already holds the earlier changes. */
    @Test
    void upperDirWithEarlierChanges_isUpdated() throws IOException {
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("same-size"), "old!");
        OverlayFormat.writeWhiteout(upper.resolve("opt"));
        TreeDiff diff = TreeDiff.record(root);
        Files.writeString(root.resolve("same-size"), "new content");
        Files.writeString(root.resolve("etc/new"), "new");
        Files.writeString(root.resolve("opt/again/more"), "more");

        diff.moveChangesTo(root, upper);

        assertThat(Files.readString(upper.resolve("same-size"))).isEqualTo("new content");
        assertThat(Files.readString(upper.resolve("etc/new"))).isEqualTo("new");
        assertThat(Files.isDirectory(upper.resolve("opt"))).isTrue();
        assertThat(Files.readString(upper.resolve("opt/again/more"))).isEqualTo("more");
    }

    @Test
    void modeAndOwnerChanges_areKept() throws Exception {
        assumeTrue(Syscalls.geteuid() == 0, "chown needs root (CI runs the unit tests as root)");
        TreeDiff diff = TreeDiff.record(root);
        Files.setAttribute(root.resolve("etc/passwd"), "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(root.resolve("etc/passwd"), "unix:gid", 1000, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(root.resolve("var/lib"), PosixFilePermissions.fromString("rwx------"));

        diff.moveChangesTo(root, upper);

        assertThat(upperEntries()).containsExactly("etc", "etc/passwd", "var", "var/lib");
        assertThat(Files.getAttribute(upper.resolve("etc/passwd"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(upper.resolve("etc/passwd"), "unix:gid")).isEqualTo(1000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(upper.resolve("var/lib"))))
                .isEqualTo("rwx------");
    }

    /** ctime has the kernel's coarse clock: a change in the same tick as the record keeps it. */
    private static void sleepPastTheClockTick() throws IOException {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
