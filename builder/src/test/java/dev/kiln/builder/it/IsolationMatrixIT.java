package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The matrix Dockerfile (a created file, {@code chown 1000:1000}, a deleted base file, {@code USER
 * 1000} + {@code RUN id}) built by the kiln jar as a separate process with a locale-free
 * environment, per isolation: chroot as root (copy + tree walk), userns as root and as
 * {@code KILN_IT_USER} (overlay upper dirs). The flattened result is judged by {@code umoci
 * unpack} run as root, which applies the layers' owners and whiteouts.
 */
class IsolationMatrixIT {
    static final String DOCKERFILE = """
            FROM %s
            RUN echo hello > /created && touch /owned /out && chown 1000:1000 /owned /out && rm /etc/group
            USER 1000
            RUN id > /out
            """;
    @RegisterExtension
    static final UserKiln.PerClass ROOT = UserKiln.perClassAsRoot("kiln-matrix-it-");

    @Test
    void root_chroot_copyAndTreeWalk() throws Exception {
        Built b = build("root-chroot", List.of(), "root", "chroot");
        assertThat(b.stderr()).contains("isolation: chroot (copy + tree walk, host ids)");
        assertMatrix(b.rootfs());
    }

    @Test
    void root_userns_overlayUpperDirs() throws Exception {
        Built b = build("root-userns", List.of(), "root", "userns");
        assertThat(b.stderr()).contains("isolation: userns (overlay, host ids)");
        assertMatrix(b.rootfs());
    }

    @Test
    void user_userns_overlayUpperDirs() throws Exception {
        String user = ItEnv.require("KILN_IT_USER");
        Built b = build("user-userns", UserKiln.runuser(user), user, "userns");
        assertThat(b.stderr()).containsPattern("isolation: userns \\(overlay, subuid range \\d+-\\d+\\)");
        assertMatrix(b.rootfs());
    }

    /** A root pod without CAP_SYS_ADMIN: a user namespace of its own, not chroot (it used to go to chroot). */
    @Test
    void root_withoutCapSysAdmin_usesAUserNamespace() throws Exception {
        ExternalTool.assumeInstalled("setpriv");
        Built b = build("root-nosysadmin", List.of("setpriv", "--bounding-set=-sys_admin", "--"), "root", "auto");
        assertThat(b.stderr()).contains("isolation: userns (overlay, user namespace, every id mapped to itself)");
        assertMatrix(b.rootfs());
    }

    /**
     * Root with a subordinate range of its own (given in a private mount namespace, as
     * RootOwnUsernsIT does): the same image from a user namespace over the range.
     */
    @Test
    void root_withARange_ownUserNamespace() throws Exception {
        ExternalTool.assumeInstalled("unshare");
        Path subids = Files.writeString(ROOT.kiln().work().resolve("subids-root"), RootOwnUsernsIT.RANGE_LINE);
        Built b = build("root-range", List.of("unshare", "-m", "sh", "-c",
                "mount --bind \"$0\" /etc/subuid && mount --bind \"$0\" /etc/subgid && shift && exec \"$@\"",
                subids.toString(), "--"), "root", "auto");
        assertThat(b.stderr()).contains("isolation: userns (overlay, root's own user namespace: subuid range "
                + RootOwnUsernsIT.START + "-" + (RootOwnUsernsIT.START + 65535) + ")");
        assertMatrix(b.rootfs());
    }

    /** A build's unpacked rootfs and what kiln printed on stderr. */
    record Built(Path rootfs, String stderr) {}

    static void assertMatrix(Path rootfs) throws Exception {
        assertThat(Files.readString(rootfs.resolve("created"))).isEqualTo("hello\n");
        assertThat(Files.getAttribute(rootfs.resolve("owned"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1000);
        assertThat(Files.getAttribute(rootfs.resolve("owned"), "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1000);
        assertThat(rootfs.resolve("etc/group")).as("deleted base file").doesNotExist();
        assertThat(rootfs.resolve("etc/passwd")).exists();
        assertThat(Files.readString(rootfs.resolve("out"))).startsWith("uid=1000");
    }

    /** Builds the matrix Dockerfile after {@code prefix} (owned by {@code user}) with {@code --isolation}. */
    private static Built build(String name, List<String> prefix, String user, String isolation) throws Exception {
        Path dir = Files.createDirectories(ROOT.kiln().work().resolve(name));
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"),
                DOCKERFILE.formatted(ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest"));
        UserKiln.chown(dir, user);
        ExternalTool.Result r = ROOT.kiln().runBare(prefix, dir, "build", "--isolation", isolation,
                "-o", dir.resolve("image.tar").toString(), context.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path layout = Files.createDirectories(dir.resolve("layout"));
        ExternalTool.run("tar", "-xf", dir.resolve("image.tar").toString(), "-C", layout.toString()).assertSuccess();
        Path bundle = dir.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--image", layout + ":latest", bundle.toString()).assertSuccess();
        return new Built(bundle.resolve("rootfs"), r.stderr());
    }
}
