package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10's environment matrix (docs/environments.md): in each environment a CI runner or a build
 * pod gives, {@code kiln build -o type=oci,dest=OUT CONTEXT} with no isolation flag, of a Dockerfile
 * whose RUN steps create a file, {@code chown 1000:1000}, run {@code id} as {@code USER 1000} and
 * delete a base file. Where RUN can be isolated somehow, the image must come out right, judged by
 * oci-image-tool, umoci and GNU tar's listing of each layer; where it cannot, kiln must refuse
 * before pulling anything, in one paragraph naming what it tried, why each way was refused and the
 * fix. scripts/in-environment.sh makes the environments (runuser, bwrap, rootful podman with runc,
 * a seccomp filter); this class only judges. Needs root.
 *
 * <p>A case that fails only because of a known, listed defect is aborted (a counted skip) with the
 * defect named and kiln's output attached, see {@link #KNOWN_DEFECTS}; every other failure fails.
 */
class EnvironmentMatrixIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** A java.util.logging header line, which users must never see. */
    private static final String JUL_HEADER = "(?m)^[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M ";

    /** What a group of checks judges: known defects excuse only the group they break. */
    enum Stage {
        /** The build finishes (or, for a refusal, refuses). */
        BUILD,
        /** The isolation kiln picked. */
        ISOLATION,
        /** What kiln says: warnings, errors, hints. */
        MESSAGES
    }

    /**
     * A known defect (issue 10 or 11), not fixed yet: its signature in kiln's output, the stage
     * of checks it breaks and, where the signature is legitimate elsewhere, the environments where it
     * is a defect.
     */
    record Defect(Stage stage, String signature, String what, List<String> onlyIn) {
        Defect(Stage stage, String signature, String what) {
            this(stage, signature, what, List.of());
        }

        boolean explains(Stage failed, Run run) {
            return stage == failed && (onlyIn.isEmpty() || onlyIn.contains(run.environment()))
                    && Pattern.compile(signature).matcher(run.out() + run.err()).find();
        }
    }

    /**
     * The known defects: a stage of checks that fails where kiln's output shows one of its defects is
     * aborted (a counted skip), naming it. Remove an entry once its fix is merged.
     */
    private static final List<Defect> KNOWN_DEFECTS = List.of();

    private static final Pattern TAR_LINE = Pattern.compile(
            "^(\\S+)\\s+(\\d+/\\d+)\\s+\\d+(?:,\\s*\\d+)?\\s+\\S+\\s+\\S+\\s+(.+?)(?: -> .*| link to .*)?$");

    static Path cache;
    static String registry;
    static Path jar;
    Path work;

    /** One run of kiln in an environment. */
    record Run(String environment, int exit, String out, String err) {
        @Override
        public String toString() {
            return "kiln build in " + environment + ": exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    @BeforeAll
    static void prepare() throws IOException {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        jar = ItEnv.jar();
        assumeTrue(UserKiln.isRoot(), "the environment matrix needs root (runuser, bwrap, rootful podman)");
        for (String tool : List.of("bwrap", "podman", "runc", "jq", "umoci", "skopeo", "oci-image-tool")) {
            ExternalTool.assumeInstalled(tool);
        }
        cache = Files.createTempDirectory(Path.of("/tmp"), "kiln-env-matrix-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterAll
    static void cleanUp() throws IOException, InterruptedException {
        if (cache != null) {
            ExternalTool.run("rm", "-rf", cache.toString());
        }
    }

    @BeforeEach
    void makeWork() throws IOException {
        work = Files.createTempDirectory(cache, "case-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + registry + "/library/busybox:latest\n"
                + "RUN echo made > /made && mkdir -p /home/u && chown 1000:1000 /home/u"
                + " && touch /owned && chown 1000:1000 /owned\n"
                + "USER 1000\n"
                + "RUN id > /home/u/id\n"
                + "USER 0\n"
                + "RUN rm /etc/group\n"
                + "RUN echo $$ > /pid\n");
    }

    @AfterEach
    void deleteWork() throws IOException, InterruptedException {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    /**
     * The environments where RUN can be isolated, and how: (a) user, (b) user-nomap, (c) root-bwrap,
     * (d) the pod-* ones, (e) root. pod-recipe is examples/kubernetes/job.yaml's pod and the GitLab
     * runner's security_opt. scripts/lib/environments.sh says how each is made.
     */
    @ParameterizedTest(name = "{0}: builds the image, isolation {1}")
    @CsvSource({
        "user, NAMESPACES",
        "user-nomap, NAMESPACES",
        "root-bwrap, NAMESPACES",
        "pod-root, NAMESPACES",
        "pod-root-nouserns, CHROOT",
        "pod-user-unconfined, NAMESPACES",
        "pod-recipe, NAMESPACES",
        "root, NAMESPACES"})
    void buildsTheImage(String environment, Isolation expected) throws Exception {
        if (environment.equals("pod-root") && appArmorEnabled()) {
            // podman confines the container with its default AppArmor profile, whose "deny mount"
            // holds in kiln's user namespace too: root's way left is chroot
            expected = Isolation.CHROOT;
        }
        expectImage(environment, expected);
    }

    private static boolean appArmorEnabled() throws IOException {
        Path enabled = Path.of("/sys/module/apparmor/parameters/enabled");
        return Files.isReadable(enabled) && Files.readString(enabled).strip().equals("Y");
    }

    @Test
    void podUser_seccompDeniesNewUserNamespaces_refusedBeforePulling_namesTheSeccompFix() throws Exception {
        Run run = build("pod-user-nouserns");
        expectRefusal(run, () -> assertThat(run.err())
                .as("what was refused").containsIgnoringCase("user namespace").contains("EPERM")
                .as("the fix: a seccomp profile that allows user namespaces").containsIgnoringCase("seccomp"));
    }

    // (f)
    @Test
    void ubuntu2404Runner_noCapabilitiesInTheUserNamespace_refusedBeforePulling_namesSysctlAndAppArmorFix()
            throws Exception {
        assumeTrue(ExternalTool.run("bash", "-c", "/usr/bin/python3 -c 'import seccomp'").exitCode() == 0,
                "python3-seccomp is not installed (apt-get install python3-seccomp); it simulates the runner");
        Run run = build("ubuntu-24.04");
        expectRefusal(run, () -> assertThat(run.err())
                .as("what was refused").contains("mount").contains("EPERM")
                .as("the fix on Ubuntu 24.04").contains("kernel.apparmor_restrict_unprivileged_userns=0")
                .containsIgnoringCase("apparmor profile")
                .as("not blamed on newuidmap, which worked").doesNotContain("newuidmap/newgidmap failed"));
    }

    private Run build(String environment) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", REPO.resolve("scripts/in-environment.sh").toString(),
                environment, work.toString(), jar.toString(), "kiln", "build", "-o",
                "type=oci,dest=" + work.resolve("out.tar"), work.resolve("ctx").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(work.resolve("stdout").toFile())
                .redirectError(work.resolve("stderr").toFile());
        pb.environment().put("KILN_ENV_CACHE", cache.toString());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("kiln build in " + environment + " did not finish in 10 minutes");
        }
        return new Run(environment, p.exitValue(), Files.readString(work.resolve("stdout")),
                Files.readString(work.resolve("stderr")));
    }

    /** Runs {@code checks}; when they fail and kiln's output shows a known defect of that stage, aborts. */
    private static void judge(Run run, Stage stage, ThrowingRunnable checks) throws Exception {
        try {
            checks.run();
        } catch (AssertionError e) {
            List<String> seen = KNOWN_DEFECTS.stream().filter(d -> d.explains(stage, run))
                    .map(d -> "issue 10 " + d.what()).toList();
            if (!seen.isEmpty()) {
                abort("known defects, not fixed yet (EnvironmentMatrixIT.KNOWN_DEFECTS; this case runs in full "
                        + "once they are): " + String.join("; ", seen) + "\n" + e.getMessage());
            }
            throw e;
        }
    }

    /** A checked-exception Runnable. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * How RUN was isolated, as the image shows it: in namespaces (kiln's own PID namespace, so the
     * RUN's shell is pid 1) or by chroot alone (the shell has a host pid).
     */
    enum Isolation { NAMESPACES, CHROOT }

    /** The build succeeds and the image is the Dockerfile's, by tools that are not kiln. */
    private void expectImage(String environment, Isolation expected) throws Exception {
        Run run = build(environment);
        judge(run, Stage.BUILD, () -> assertThat(run.exit()).as(run.toString()).isZero());
        Path rootfs = checkImage(run);
        String pid = Files.readString(rootfs.resolve("pid")).strip();
        judge(run, Stage.ISOLATION, () -> assertThat(expected == Isolation.NAMESPACES ? pid.equals("1")
                : !pid.equals("1")).as("isolation " + expected + ": the RUN shell's pid is " + pid + "\n" + run)
                .isTrue());
        judge(run, Stage.MESSAGES, () -> {
            assertThat(run.err()).as("raw java.util.logging lines\n" + run).doesNotContainPattern(JUL_HEADER);
            if (expected == Isolation.NAMESPACES) {
                assertThat(run.err()).as("overlay mounts work in a user namespace, in a pod too\n" + run)
                        .doesNotContain("overlay mounts are not available");
            }
        });
    }

    /** Checks the image in OUT; returns its unpacked root filesystem. */
    private Path checkImage(Run run) throws Exception {
        Path layout = Files.createDirectories(work.resolve("layout"));
        ExternalTool.run("tar", "-xf", work.resolve("out.tar").toString(), "-C", layout.toString()).assertSuccess();
        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=latest",
                layout.toString()).assertSuccess();

        Path bundle = work.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout + ":latest", bundle.toString())
                .assertSuccess();
        Path rootfs = bundle.resolve("rootfs");
        assertThat(Files.readString(rootfs.resolve("made"))).isEqualTo("made\n");
        assertThat(Files.readString(rootfs.resolve("home/u/id"))).as("USER 1000 + RUN id").startsWith(
                "uid=1000 gid=0(root)");
        assertThat(rootfs.resolve("etc/group")).as("deleted in the last RUN").doesNotExist();
        assertThat(rootfs.resolve("etc/passwd")).exists();

        // owners as the layers record them: GNU tar's listing, the last layer naming a path wins
        JsonNode manifest = Json.readTree(ExternalTool.run("skopeo", "inspect", "--raw", "oci:" + layout + ":latest")
                .assertSuccess().stdout().getBytes(StandardCharsets.UTF_8));
        Map<String, String> owners = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (JsonNode layer : manifest.path("layers")) {
            String hex = layer.path("digest").asText().substring("sha256:".length());
            String listing = ExternalTool.run("tar", "--numeric-owner", "-tvf",
                    layout.resolve("blobs/sha256/" + hex).toString()).assertSuccess().stdout();
            for (String line : listing.split("\n")) {
                Matcher m = TAR_LINE.matcher(line);
                if (m.matches()) {
                    String name = m.group(3).replaceFirst("^\\./", "").replaceFirst("/$", "");
                    owners.put(name, m.group(2));
                    names.add(name);
                }
            }
        }
        assertThat(names).as("a whiteout for the deleted base file").contains("etc/.wh.group");
        assertThat(owners).as("owners in the layers")
                .containsEntry("made", "0/0")
                .containsEntry("owned", "1000/1000")
                .containsEntry("home/u", "1000/1000")
                .containsEntry("home/u/id", "1000/0");
        return rootfs;
    }

    /** The build fails before pulling, in one paragraph with no stack trace; {@code content} checks its words. */
    private void expectRefusal(Run run, ThrowingRunnable content) throws Exception {
        assertThat(run.exit()).as(run.toString()).isNotZero();
        assertThat(blobs()).as("nothing pulled: the store has no blobs\n" + run).isEmpty();
        assertThat(run.out()).as("nothing pulled\n" + run).doesNotContain("downloaded");
        judge(run, Stage.MESSAGES, () -> {
            String err = run.err().strip();
            assertThat(err).as("one paragraph, kiln's format\n" + run).startsWith("Error: ")
                    .doesNotContain("\n\n").doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(err).as("raw java.util.logging lines\n" + run).doesNotContainPattern(JUL_HEADER);
            assertThat(err).as("no advice to use --isolation=chroot, which cannot work for a user who is not root")
                    .doesNotContainPattern("(try|use|run as root with) --isolation=chroot");
            content.run();
        });
    }

    private List<Path> blobs() throws IOException {
        Path dir = work.resolve("store/blobs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
