package dev.kiln.oci.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir Path tmp;

    @Test
    void delete_treeWithReadOnlyDirsAndALinkOut_removesTheTreeButNotTheLinksTarget() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path root = Files.createDirectories(tmp.resolve("root/a/b"));
        Files.writeString(root.resolve("f.txt"), "x");
        Files.createSymbolicLink(tmp.resolve("root/a/out"), outside);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(tmp.resolve("root/a"), PosixFilePermissions.fromString("r-x------"));

        FileTrees.delete(tmp.resolve("root"));

        assertThat(tmp.resolve("root")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("keep");
    }

    /** Root lists any directory; this one needs an owner who is not (HostileLayersAsUserIT runs it so). */
    @Test
    void delete_unreadableDirectories_asTheirOwner_removesTheTree() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")),
                "root reads a 0000 directory anyway: this case needs an unprivileged owner");
        Path root = Files.createDirectories(tmp.resolve("root/none/deeper"));
        Files.writeString(root.resolve("f.txt"), "x");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("-w-------"));
        Files.setPosixFilePermissions(tmp.resolve("root/none"), PosixFilePermissions.fromString("---------"));

        FileTrees.delete(tmp.resolve("root"));

        assertThat(tmp.resolve("root")).doesNotExist();
    }

    @Test
    void delete_aSymlinkRoot_removesTheLinkOnly() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.writeString(target.resolve("f"), "x");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);

        FileTrees.delete(link);

        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(target.resolve("f")).exists();
    }

    @Test
    void deleteQuietly_missingOrNull_isDone() {
        assertThat(FileTrees.deleteQuietly(tmp.resolve("never"))).isTrue();
        assertThat(FileTrees.deleteQuietly(null)).isTrue();
    }
}
