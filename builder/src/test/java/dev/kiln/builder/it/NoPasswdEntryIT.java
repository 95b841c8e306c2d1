package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kiln run by a uid the passwd database does not know, as a Kubernetes pod or an OpenShift
 * project runs it ({@code runAsUser} with an arbitrary uid): the JVM's {@code user.home} is then
 * {@code "?"}, and kiln used to put its store in {@code ./?/.local/share/kiln}, below whatever
 * directory it was started in. Its store goes below {@code $HOME} now, as docker's and podman's do,
 * and with no home at all kiln refuses with a hint and writes nothing. Needs root (setpriv).
 */
class NoPasswdEntryIT {
    /** A uid and gid that no passwd or group entry names here (checked). */
    private static final String UID = "54321";

    private UserKiln kiln;
    private Path home;
    private Path cwd;
    private Path context;

    @BeforeEach
    void makeWork() throws IOException, InterruptedException {
        assumeTrue(UserKiln.isRoot(), "switches to an arbitrary uid with setpriv: run as root (scripts/test.sh does)");
        assumeTrue(ExternalTool.run("getent", "passwd", UID).exitCode() != 0, "uid " + UID + " has a passwd entry here");
        kiln = UserKiln.create("kiln-nopasswd-");
        home = Files.createDirectories(kiln.work().resolve("home"));
        cwd = Files.createDirectories(kiln.work().resolve("cwd"));
        context = kiln.work().resolve("ctx");
        Files.createDirectories(context);
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n");
        Files.writeString(context.resolve("a.txt"), "a\n");
        ExternalTool.run("chown", "-R", UID + ":" + UID, kiln.work().toString()).assertSuccess();
    }

    @AfterEach
    void deleteWork() throws IOException, InterruptedException {
        if (kiln != null) {
            kiln.delete();
        }
    }

    @Test
    void build_asAUidWithoutPasswdEntry_keepsItsStoreBelowHome_notBelowTheCurrentDirectory() throws Exception {
        ExternalTool.Result r = asArbitraryUid(Map.of("HOME", home.toString()), "build", "-t", "nopasswd", context.toString());
        r.assertSuccess();
        assertThat(home.resolve(".local/share/kiln")).isDirectory();
        assertThat(entries(cwd)).as("the current directory").isEmpty();
        ExternalTool.Result images = asArbitraryUid(Map.of("HOME", home.toString()), "images");
        images.assertSuccess();
        assertThat(images.stdout()).contains("nopasswd");
    }

    @Test
    void build_asAUidWithoutPasswdEntryOrHome_refusesWithAHint_andWritesNothing() throws Exception {
        ExternalTool.Result r = asArbitraryUid(Map.of(), "build", "-t", "nopasswd", context.toString());
        assertThat(r.exitCode()).as(r.stderr()).isNotZero();
        assertThat(r.stderr()).contains("no directory for kiln's store").contains("set HOME").doesNotContain("at dev.kiln");
        assertThat(entries(cwd)).as("the current directory").isEmpty();
        assertThat(entries(home)).isEmpty();
    }

    /** {@code kiln ARGS} as uid/gid {@link #UID} in {@link #cwd}, with only PATH and {@code env} in its environment. */
    private ExternalTool.Result asArbitraryUid(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", UID, "--regid", UID, "--clear-groups",
                "env", "-i", "-C", cwd.toString(), "PATH=/usr/bin:/bin"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                kiln.jar().toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
