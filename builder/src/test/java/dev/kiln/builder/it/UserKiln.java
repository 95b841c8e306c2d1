package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kiln jar run as a separate process by the unprivileged {@code KILN_IT_USER} (through
 * {@code runuser} when the tests run as root; else as the current user), with {@code HOME} and the
 * working directory set to a work directory that user owns.
 */
final class UserKiln {
    private final Path jar;
    private final Path work;

    private UserKiln(Path jar, Path work) {
        this.jar = jar;
        this.work = work;
    }

    /** A fresh work directory (mode 755) under the system temp dir. */
    static UserKiln create(String prefix) throws IOException {
        Path jar = ItEnv.jar();
        Path work = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new UserKiln(jar, work);
    }

    Path work() {
        return work;
    }

    Path jar() {
        return jar;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command prefix that runs as the test user: {@code runuser -u USER --} when root, else nothing. */
    static List<String> asUser() {
        return isRoot() ? List.of("runuser", "-u", ItEnv.require("KILN_IT_USER"), "--") : List.of();
    }

    /** Gives {@code p} (recursively) to the test user, when the tests run as root. */
    static void chown(Path p) throws IOException, InterruptedException {
        if (isRoot()) {
            ExternalTool.run("chown", "-R", ItEnv.require("KILN_IT_USER") + ":", p.toString()).assertSuccess();
        }
    }

    void delete() throws IOException, InterruptedException {
        ExternalTool.run("rm", "-rf", work.toString());
    }

    /** One command's outcome. */
    record Result(int exit, String out, String err) {
        Result ok() {
            assertThat(exit).as("kiln exit code; stdout:\n" + out + "\nstderr:\n" + err).isZero();
            return this;
        }
    }

    /** Runs {@code kiln ARGS} as the test user with {@code env} added; fails after {@code minutes}. */
    Result run(Map<String, String> env, int minutes, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(asUser());
        // as CI runners run it: no locale, whatever the shell that started the tests had
        cmd.addAll(List.of("env", "-u", "LANG", "-u", "LANGUAGE", "-u", "LC_ALL", "-u", "LC_CTYPE", "HOME=" + work));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("java", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = work.resolve("out.log");
        Path err = work.resolve("err.log");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("kiln " + String.join(" ", args) + " did not finish in " + minutes + " minutes");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
