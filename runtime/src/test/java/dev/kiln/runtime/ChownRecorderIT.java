package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chown recorder as a user without a subordinate id range ({@code KILN_IT_USER_NOMAP}): a
 * busybox container makes every kind of chown call — relative to its working directory, on a
 * directory descriptor, on an open file, {@code AT_EMPTY_PATH} on an {@code O_PATH} symlink, a
 * symlink followed and not, an absolute symlink that must resolve inside the container's root —
 * and the tags in the upper dir say who owns what.
 */
class ChownRecorderIT {
    @RegisterExtension
    static final BusyboxContainers BUSYBOX = BusyboxContainers.forUser("KILN_IT_USER_NOMAP");

    @BeforeAll
    static void setUp() throws IOException, InterruptedException {
        Path helper = BUSYBOX.lower().resolve("bin/chown-calls");
        Path source = Path.of(ChownRecorderIT.class.getResource("/chown-calls.c").getPath());
        RootlessHarness.Result cc = RootlessHarness.exec(List.of("gcc", "-static", "-O2", "-o",
                helper.toString(), source.toString()));
        assumeTrue(cc.exitCode() == 0, "gcc -static could not build the chown-calls helper "
                + "(install gcc and libc6-dev): " + cc);
        RootlessHarness.exec(List.of("chmod", "755", helper.toString()));
    }

    @Test
    void chownCalls_recordEachTarget_asTheKernelWouldResolveIt() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of(), "sh", "-c", String.join("\n",
                "set -e",
                "mkdir -p /w/sub && cd /w/sub && touch rel && chown 1000:1001 rel",
                "cd / && touch /w/at && chown-calls at /w at 1002 -1",
                "touch /w/fd && chown-calls fd /w/fd 1003 1004",
                "touch /w/target && ln -s target /w/emptylink && chown-calls empty /w/emptylink 1005 1005",
                "touch /w/followed && ln -s followed /w/link1 && chown 1006:1006 /w/link1",
                "ln -s followed /w/link2 && chown -h 1007:1007 /w/link2",
                "ln -s target /w/link3 && chown-calls atnofollow /w link3 1008 1008",
                "ln -s /etc/passwd /w/abs && chown 1009:1009 /w/abs",
                "cd /w && chown 1010:1010 ../w/../w/sub/../../etc/group",
                "touch /w/zero && chown 33:33 /w/zero && chown 0:0 /w/zero",
                "touch /w/renamed && chown 1011:1011 /w/renamed && mv /w/renamed /w/moved",
                "ln -s target /w/tmp.link && chown -h 1012:1012 /w/tmp.link && mv /w/tmp.link /w/renamedlink",
                "if chown 1:1 /w/nonexistent 2>/dev/null; then exit 9; fi",
                "ls -ln /w/sub/rel"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).as("stat inside the container still shows root").contains(" 0 ");
        Path upper = BUSYBOX.lastUpper();
        assertThat(fileTag(upper.resolve("w/sub/rel"))).isEqualTo("1000:1001");
        assertThat(fileTag(upper.resolve("w/at"))).as("gid -1 keeps the old group").isEqualTo("1002:0");
        assertThat(fileTag(upper.resolve("w/fd"))).isEqualTo("1003:1004");
        assertThat(linkTags(upper.resolve("w")))
                .as("symlinks are tagged on their parent")
                .containsEntry(OwnerTags.linkTag(bytes("emptylink")), "1005:1005")
                .containsEntry(OwnerTags.linkTag(bytes("link2")), "1007:1007")
                .containsEntry(OwnerTags.linkTag(bytes("link3")), "1008:1008")
                .doesNotContainKey(OwnerTags.linkTag(bytes("link1")))
                .doesNotContainKey(OwnerTags.linkTag(bytes("abs")));
        assertThat(fileTag(upper.resolve("w/target"))).as("AT_EMPTY_PATH on a symlink's fd is the link").isNull();
        assertThat(fileTag(upper.resolve("w/followed"))).as("chown follows the link").isEqualTo("1006:1006");
        assertThat(fileTag(upper.resolve("etc/passwd")))
                .as("an absolute symlink resolves inside the container: the image's file, copied up")
                .isEqualTo("1009:1009");
        assertThat(fileTag(upper.resolve("etc/group"))).as("'..' relative to the working directory")
                .isEqualTo("1010:1010");
        assertThat(fileTag(upper.resolve("w/zero"))).as("chown back to root removes the tag").isNull();
        assertThat(fileTag(upper.resolve("w/moved"))).as("the tag moves with the file").isEqualTo("1011:1011");
        long ino = (Long) Files.getAttribute(upper.resolve("w/renamedlink"), "unix:ino", LinkOption.NOFOLLOW_LINKS);
        assertThat(linkTags(upper.resolve("w"))).as("a renamed symlink is found by its inode")
                .containsEntry(OwnerTags.inodeTag(ino), "1012:1012");
    }

    @Test
    void unmappedUser_runsAsRoot_reportingTheUsersIds() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of("--user", "1000:1001"), "sh", "-c",
                "id -u; id -g; id -G; whoami 2>&1; touch /tmp/made && stat -c '%u:%g' /tmp/made");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).as(r.toString()).startsWith("1000\n1001\n1001\n")
                .endsWith("0:0\n"); // on disk the file is root's: the layer gives it to the user
    }

    @Test
    void chownRecorder_off_chownFailsAsWithoutKiln() throws IOException {
        RootlessHarness.Result r = BUSYBOX.run(List.of("--no-chown-record"), "sh", "-c",
                "touch /f && chown 1000:1000 /f");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("Invalid argument");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String fileTag(Path p) throws IOException {
        return tags(p).get(OwnerTags.FILE);
    }

    private static Map<String, String> linkTags(Path dir) throws IOException {
        Map<String, String> all = tags(dir);
        all.remove(OwnerTags.FILE);
        return all;
    }

    private static Map<String, String> tags(Path p) throws IOException {
        Map<String, String> out = new TreeMap<>();
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        for (String name : view.list()) {
            if (OwnerTags.isTag("user." + name)) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                out.put("user." + name, new String(buf.array(), StandardCharsets.US_ASCII));
            }
        }
        return out;
    }
}
