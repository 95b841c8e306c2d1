package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's error must-show, each as the unprivileged test user against the real registries: a
 * Dockerfile syntax error, a missing COPY source, a failing RUN, an unknown base image and a
 * registry that refuses the anonymous pull each give one clear message (with the Dockerfile line),
 * a non-zero exit, no output file and no new name in the store.
 */
class BuildErrorsIT {
    String registry;
    String basicRegistry;
    UserKiln kiln;

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        basicRegistry = ItEnv.require("KILN_IT_REGISTRY_BASIC");
        kiln = UserKiln.create("kiln-errors-it-");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (kiln != null) {
            kiln.delete();
        }
    }

    /** Builds {@code dockerfile} (with a context holding {@code present.txt}); asserts what a failure must leave. */
    private UserKiln.Result failingBuild(String name, String dockerfile) throws Exception {
        kiln.context(name, dockerfile, Map.of("present.txt", "here\n"));
        Path store = kiln.work().resolve("store");
        Path archive = kiln.work().resolve(name + ".tar");
        UserKiln.Result r = kiln.run(Map.of(), 10, "build", "--root", store.toString(), "--progress", "plain",
                "--registry-mirror", "docker.io=" + registry, "-t", "never-" + name, "-o", archive.toString(),
                name);
        assertThat(r.exit()).as("exit code; stderr:\n%s", r.err()).isNotZero();
        assertThat(r.err().lines().filter(l -> l.startsWith("Error: ")).count())
                .as("exactly one error message in:\n%s", r.err()).isEqualTo(1);
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ");
        assertThat(archive).as("no output archive").doesNotExist();
        assertThat(kiln.work()).as("no staging file").isDirectoryNotContaining("glob:**/*" + name + ".tar*");
        UserKiln.Result images = kiln.run(Map.of(), 5, "images", "--root", store.toString());
        assertThat(images.exit()).as(images.err()).isZero();
        assertThat(images.out()).as("no new name").doesNotContain("never-" + name);
        return r;
    }

    @Test
    void syntaxError_namesItsLine() throws Exception {
        UserKiln.Result r = failingBuild("syntax", "FROM busybox\nCOPPY present.txt /\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2").containsIgnoringCase("COPPY");
    }

    @Test
    void missingCopySource_namesItsLineAndTheFile() throws Exception {
        UserKiln.Result r = failingBuild("missing", "FROM busybox\nCOPY present.txt /\nCOPY absent.txt /\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:3").contains("absent.txt");
    }

    @Test
    void failingRun_exitsWithItsCodeAndShowsItsOutput() throws Exception {
        UserKiln.Result r = failingBuild("run", "FROM busybox\nRUN echo the last words && exit 7\n");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.err()).contains("Dockerfile:2").contains("exit code 7").contains("the last words");
    }

    @Test
    void unknownBaseImage_givesTheRegistrysAnswerAtTheFromLine() throws Exception {
        UserKiln.Result r = failingBuild("unknown", "FROM busybox\nFROM " + registry + "/library/no-such-image:1\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2").contains("no-such-image").containsIgnoringCase("unknown");
    }

    @Test
    void registryRefusingAuth_givesTheRegistrysAnswerAtTheFromLine() throws Exception {
        UserKiln.Result r = failingBuild("auth", "FROM " + basicRegistry + "/library/busybox:latest\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:1").contains(basicRegistry).containsIgnoringCase("unauthorized");
    }
}
