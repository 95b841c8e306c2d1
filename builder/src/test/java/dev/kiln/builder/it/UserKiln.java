package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The kiln jar run as a separate process by the unprivileged {@code KILN_IT_USER} (through
 * {@code runuser} when the tests run as root; else as the current user), with {@code HOME} and the
 * working directory set to a work directory that user owns; or, for tests that compare users
 * ({@link AsRoot}), by any user with the environment CI runners give it ({@link #runBare}).
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

    /**
     * One work directory (as {@link #create}) for all the tests of a class that switch users with
     * runuser, held in a static {@code @RegisterExtension} field: it skips the class unless the
     * tests run as root, and deletes the directory after the last test.
     */
    static final class AsRoot implements BeforeAllCallback, AfterAllCallback {
        private final String prefix;
        private UserKiln kiln;

        AsRoot(String prefix) {
            this.prefix = prefix;
        }

        UserKiln kiln() {
            return kiln;
        }

        @Override
        public void beforeAll(ExtensionContext context) throws IOException {
            assumeTrue(isRoot(), "runs kiln as root and as the test users through runuser: run as root"
                    + " (scripts/test.sh does)");
            kiln = create(prefix);
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
            if (kiln != null) {
                kiln.delete();
            }
        }
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
        return isRoot() ? runuser(ItEnv.require("KILN_IT_USER")) : List.of();
    }

    /** The command prefix that runs as {@code user}: {@code runuser -u USER --}; none for root (this process). */
    static List<String> runuser(String user) {
        return user.equals("root") ? List.of() : List.of("runuser", "-u", user, "--");
    }

    /** Gives {@code p} (recursively) to the test user, when the tests run as root. */
    static void chown(Path p) throws IOException, InterruptedException {
        if (isRoot()) {
            chown(p, ItEnv.require("KILN_IT_USER"));
        }
    }

    /** Gives {@code p} (recursively) to {@code user}. */
    static void chown(Path p, String user) throws IOException, InterruptedException {
        ExternalTool.run("chown", "-R", user + ":", p.toString()).assertSuccess();
    }

    /**
     * A context directory {@code WORK/NAME} holding {@code dockerfile} and {@code files} (relative
     * path to text), with the whole work directory given to the test user.
     */
    Path context(String name, String dockerfile, Map<String, String> files) throws IOException, InterruptedException {
        Path ctx = Files.createDirectories(work.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = ctx.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        chown(work);
        return ctx;
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

    /**
     * {@code kiln COMMAND --root DIR/store ARGS} after {@code prefix} (runuser, setpriv; empty: as
     * this process), with {@code HOME=DIR} and {@code PATH=/usr/bin:/bin} its whole environment: no
     * locale, as CI runners start it.
     */
    ExternalTool.Result runBare(List<String> prefix, Path dir, String command, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("env", "-i", "HOME=" + dir, "PATH=/usr/bin:/bin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                command, "--root", dir.resolve("store").toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }
}
