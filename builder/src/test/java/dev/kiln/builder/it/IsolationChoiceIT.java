package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln info} and the refusal when no isolation works, with the kiln jar as a separate
 * process in a locale-free environment: as root, as {@code KILN_IT_USER}, and as that user inside
 * {@code bwrap --unshare-user --disable-userns} (nested user namespaces refused with ENOSPC).
 */
class IsolationChoiceIT {
    private static Path work;
    private static String user;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "switches to KILN_IT_USER with runuser: run as root (scripts/test.sh does)");
        user = ItEnv.require("KILN_IT_USER");
        work = Files.createTempDirectory(Path.of("/tmp"), "kiln-choice-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(work.resolve("Dockerfile"), IsolationMatrixIT.DOCKERFILE.formatted(
                ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest"));
        ExternalTool.run("chown", "-R", user + ":", work.toString()).assertSuccess();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    private static ExternalTool.Result kiln(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("env", "-i", "HOME=" + work, "PATH=/usr/bin:/bin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ItEnv.jar().toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }

    @Test
    void info_asRoot_namesHostIdsAndWhatWorks() throws Exception {
        ExternalTool.Result r = kiln(List.of(), "info", "--root", work.resolve("root-store").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("user: root (uid 0)\n").contains("CAP_SYS_ADMIN: yes\n")
                .contains("namespaces: work\n").contains("overlay in " + work.resolve("root-store/tmp") + ": works\n")
                .contains("isolation: userns (overlay, host ids)\n");
    }

    @Test
    void info_asUser_namesTheUserTheRangeAndNewuidmap() throws Exception {
        ExternalTool.Result r = kiln(List.of("runuser", "-u", user, "--"), "info", "--root",
                work.resolve("user-store").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("user: " + user + " (uid ").contains("newuidmap: /usr/bin/newuidmap\n")
                .containsPattern("subordinate ids: uids \\d+-\\d+, gids \\d+-\\d+\n")
                .containsPattern("isolation: userns \\(overlay, subuid range \\d+-\\d+\\)\n")
                .doesNotContain("root is mapped");
    }

    /** The hint names the user outside (it said root, the name inside the namespace), formatted as kiln's warnings. */
    @Test
    void info_asUserWithoutSubordinateIds_warnsNamingTheRealUser() throws Exception {
        String nomap = ItEnv.require("KILN_IT_USER_NOMAP");
        Path store = Files.createDirectories(work.resolve("nomap"));
        ExternalTool.run("chown", nomap + ":", store.toString()).assertSuccess();
        ExternalTool.Result r = kiln(List.of("runuser", "-u", nomap, "--"), "info", "--root", store.resolve("store").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("isolation: userns (overlay, single id mapping: only root)\n");
        assertThat(r.stderr()).startsWith("WARNING: only root is mapped in kiln's user namespace")
                .contains("give user " + nomap + " ranges in /etc/subuid").doesNotContain("give user root");
    }

    @Test
    void userNamespacesRefused_infoAndBuildSayWhyAndTheFix_buildFailsBeforePulling() throws Exception {
        ExternalTool.assumeInstalled("bwrap");
        List<String> blocked = List.of("runuser", "-u", user, "--", "bwrap", "--dev-bind", "/", "/",
                "--unshare-user", "--disable-userns", "--");
        ExternalTool.Result info = kiln(blocked, "info", "--root", work.resolve("blocked-store").toString());
        assertThat(info.exitCode()).as(info.toString()).isEqualTo(1);
        assertThat(info.stdout()).contains("isolation: none works here: cannot isolate RUN steps or containers here: "
                + "a user namespace was refused (clone: ENOSPC")
                .contains("chroot was not tried (it needs root; kiln runs as uid ")
                .contains("fix: raise user.max_user_namespaces");

        ExternalTool.Result build = kiln(blocked, "build", "--root", work.resolve("blocked-store").toString(),
                work.toString());
        assertThat(build.exitCode()).as(build.toString()).isNotZero();
        assertThat(build.stderr()).startsWith("Error: cannot isolate RUN steps or containers here")
                .contains("Hint: raise user.max_user_namespaces").doesNotContain("Exception");
        assertThat(build.stdout() + build.stderr()).doesNotContain("resolving").doesNotContain("downloaded");
        assertThat(work.resolve("blocked-store/blobs")).doesNotExist();
    }
}
