package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TreeComparatorTest {
    private static final FsEntry ETC = FsEntry.dir("/etc", 0755, 0, 0);
    private static final FsEntry PASSWD = FsEntry.file("/etc/passwd", 0644, 0, 0, "sha256:aa", 10);
    private static final FsEntry LINK = FsEntry.symlink("/etc/mtab", "/proc/mounts");

    private static List<String> keys(ImageTree kiln, ImageTree buildah) {
        return TreeComparator.exact().compare(kiln, buildah).stream().map(Difference::key).toList();
    }

    @Test
    void compare_sameTrees_noDifference() {
        assertThat(keys(ImageTree.of(ETC, PASSWD, LINK), ImageTree.of(ETC, PASSWD, LINK))).isEmpty();
    }

    @Test
    void compare_modeChange_includingSetuidBit_isFound() {
        assertThat(keys(ImageTree.of(ETC, PASSWD), ImageTree.of(ETC, PASSWD.withMode(04644))))
                .containsExactly("file /etc/passwd mode");
    }

    @Test
    void compare_ownerChange_foundPerField() {
        assertThat(keys(ImageTree.of(ETC, PASSWD), ImageTree.of(ETC, PASSWD.withOwner(0, 65534))))
                .containsExactly("file /etc/passwd gid");
        assertThat(keys(ImageTree.of(ETC.withOwner(1000, 1000)), ImageTree.of(ETC)))
                .containsExactly("file /etc uid", "file /etc gid");
    }

    @Test
    void compare_contentChange_sameSize_isFound() {
        FsEntry other = FsEntry.file("/etc/passwd", 0644, 0, 0, "sha256:bb", 10);
        assertThat(keys(ImageTree.of(PASSWD), ImageTree.of(other))).containsExactly("file /etc/passwd content");
    }

    @Test
    void compare_missingFile_namesTheSideThatHasIt() {
        assertThat(keys(ImageTree.of(ETC, PASSWD), ImageTree.of(ETC))).containsExactly("file /etc/passwd only-in-kiln");
        assertThat(keys(ImageTree.of(ETC), ImageTree.of(ETC, PASSWD)))
                .containsExactly("file /etc/passwd only-in-buildah");
    }

    @Test
    void compare_typeAndLinkTarget_areFound() {
        assertThat(keys(ImageTree.of(LINK), ImageTree.of(FsEntry.symlink("/etc/mtab", "mounts"))))
                .containsExactly("file /etc/mtab link");
        assertThat(keys(ImageTree.of(FsEntry.dir("/etc/mtab", 0755, 0, 0)), ImageTree.of(LINK)))
                .containsExactly("file /etc/mtab type");
    }

    @Test
    void compare_hardlinkGroups_areCompared() {
        FsEntry a = PASSWD.withHardlinks(List.of("/etc/passwd", "/etc/passwd-"));
        FsEntry b = PASSWD.withPath("/etc/passwd-").withHardlinks(List.of("/etc/passwd", "/etc/passwd-"));
        assertThat(keys(ImageTree.of(a, b), ImageTree.of(PASSWD, PASSWD.withPath("/etc/passwd-"))))
                .containsExactly("file /etc/passwd hardlinks", "file /etc/passwd- hardlinks");
    }

    @Test
    void compare_mtime_exactUnlessBothMadeDuringTheBuild() {
        TreeComparator c = new TreeComparator(1000, 5000);
        ImageTree kilnNew = ImageTree.of(PASSWD.withMtime(1000));
        assertThat(c.compare(kilnNew, ImageTree.of(PASSWD.withMtime(5001)))).isEmpty();
        assertThat(c.compare(kilnNew, ImageTree.of(PASSWD.withMtime(999)))).extracting(Difference::key)
                .containsExactly("file /etc/passwd mtime");
        assertThat(c.compare(ImageTree.of(PASSWD.withMtime(7)), ImageTree.of(PASSWD.withMtime(8))))
                .extracting(Difference::key).containsExactly("file /etc/passwd mtime");
    }
}
