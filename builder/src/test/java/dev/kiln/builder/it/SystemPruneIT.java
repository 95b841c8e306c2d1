package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln unshare} and {@code kiln system prune} as the unprivileged KILN_IT_USER (with
 * subuids): a RUN leaves files of a subordinate id in the store's extracted layers, which the user
 * cannot delete; prune deletes them from inside kiln's user namespace.
 */
class SystemPruneIT {
    String user;
    Path jar;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "SystemPruneIT runs kiln as KILN_IT_USER through runuser, which needs root");
        user = ItEnv.require("KILN_IT_USER");
        jar = ItEnv.jar();
        work = Files.createTempDirectory(Path.of("/tmp"), "kiln-prune-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\n"
                + "RUN mkdir /data && echo secret > /data/f && chown -R 33:33 /data && chmod 700 /data\n"
                + "RUN cat /data/f\n");
        Files.createDirectories(work.resolve("run"));
        ExternalTool.run("chown", "-R", user + ":", work.toString()).assertSuccess();
        ExternalTool.run("chmod", "700", work.resolve("run").toString()).assertSuccess();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    /** {@code kiln ARGS} as the user, with its own HOME and XDG_RUNTIME_DIR (no one else's containers). */
    private ExternalTool.Result kiln(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--", "env",
                "HOME=" + work, "XDG_RUNTIME_DIR=" + work.resolve("run"),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }

    private ExternalTool.Result build() throws Exception {
        return kiln("build", "--root", work.resolve("store").toString(), "--progress", "plain",
                "--registry-mirror", "docker.io=" + ItEnv.require("KILN_IT_REGISTRY"), "-t", "owned", work.resolve("ctx").toString());
    }

    private List<String> notTheUsers(Path dir) throws Exception {
        return List.of(ExternalTool.run("find", dir.toString(), "!", "-user", user).assertSuccess().stdout()
                .lines().toArray(String[]::new));
    }

    @Test
    void pruneAll_removesSubuidOwnedLayers_thenTheUserCanDeleteTheStore() throws Exception {
        ExternalTool.Result built = build();
        assertThat(built.exitCode()).as(built.toString()).isZero();
        Path layers = work.resolve("store/layers");
        assertThat(notTheUsers(layers)).as("the RUN's chown 33:33 left files of a subordinate id").isNotEmpty();

        ExternalTool.Result kept = kiln("system", "prune", "--root", work.resolve("store").toString(), "-f");
        assertThat(kept.exitCode()).as(kept.toString()).isZero();
        assertThat(kiln("images", "--root", work.resolve("store").toString()).stdout())
                .containsPattern("(?m)^owned +latest ");
        ExternalTool.Result again = build();
        assertThat(again.stdout().split("--> CACHED", -1)).as("both RUNs cached: %s", again).hasSize(3);

        ExternalTool.Result rmi = kiln("rmi", "--root", work.resolve("store").toString(), "owned");
        assertThat(rmi.exitCode()).as(rmi.toString()).isZero();
        assertThat(rmi.stdout()).contains("no image uses remain in the store; kiln system prune removes them");
        ExternalTool.Result pruned = kiln("system", "prune", "--root", work.resolve("store").toString(), "-a", "-f");
        assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
        assertThat(pruned.stdout()).contains("Untagged: busybox:latest").contains("Total reclaimed space: ");
        try (Stream<Path> left = Files.list(layers)) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(kiln("images", "-q", "--root", work.resolve("store").toString()).stdout()).isBlank();
        ExternalTool.Result rm = ExternalTool.run("runuser", "-u", user, "--", "rm", "-rf", work.resolve("store").toString());
        assertThat(rm.exitCode()).as(rm.toString()).isZero();
        assertThat(work.resolve("store")).doesNotExist();
    }

    @Test
    void unshare_runsTheCommandAsRootOverTheSubordinateRange() throws Exception {
        ExternalTool.Result id = kiln("unshare", "id", "-u");
        assertThat(id.exitCode()).as(id.toString()).isZero();
        assertThat(id.stdout()).isEqualTo("0\n");
        ExternalTool.Result map = kiln("unshare", "cat", "/proc/self/uid_map");
        assertThat(map.stdout().lines().map(String::strip).toList()).hasSize(2).last().asString().endsWith(" 65536");
        assertThat(kiln("unshare", "sh", "-c", "exit 7").exitCode()).isEqualTo(7);
        assertThat(kiln("unshare", "--root", "/x/store", "sh", "-c", "echo $KILN_ROOT").stdout()).isEqualTo("/x/store\n");
    }
}
