package dev.kiln.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Containers over one busybox lower dir, run as the unprivileged user named by an environment
 * variable through {@link RootlessHarness}; each run gets a fresh upper and work dir. Held in a
 * static {@code @RegisterExtension} field: the lower dir is made before the class's tests (and
 * its {@code @BeforeAll} methods) and everything is deleted after them.
 */
final class BusyboxContainers implements BeforeAllCallback, AfterAllCallback {
    private final String envVar;
    private String user;
    private RootlessHarness harness;
    private Path lower;
    private int counter;
    private Path lastUpper;

    /**
     * Containers as the user named by {@code envVar}; they skip the class (loudly, see
     * {@link RootlessHarness#user}) when it cannot be used.
     */
    static BusyboxContainers forUser(String envVar) {
        return new BusyboxContainers(envVar);
    }

    private BusyboxContainers(String envVar) {
        this.envVar = envVar;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        user = RootlessHarness.user(envVar);
        harness = RootlessHarness.create();
        lower = harness.busyboxRootfs(user, "busybox");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (harness != null) {
            harness.delete();
        }
    }

    /** The busybox lower dir every run shares. */
    Path lower() {
        return lower;
    }

    /** A directory owned by the user (re-owned, with what was written in it, on every call). */
    Path hostDir(String name) throws IOException {
        return harness.dirFor(user, name);
    }

    /** The upper dir of the latest {@link #run}. */
    Path lastUpper() {
        return lastUpper;
    }

    /** Runs {@code argv} over the busybox layer with a fresh upper dir, after {@code opts}. */
    RootlessHarness.Result run(List<String> opts, String... argv) throws IOException {
        return runAfter(List.of(), opts, argv);
    }

    /** Like {@link #run}, the harness's command line after {@code prefix} (run as root). */
    RootlessHarness.Result runAfter(List<String> prefix, List<String> opts, String... argv) throws IOException {
        Path scratch = harness.dirFor(user, "run" + (++counter));
        lastUpper = scratch.resolve("upper");
        List<String> args = new ArrayList<>(List.of("--lower", lower.toString(),
                "--upper", scratch.resolve("upper").toString(),
                "--work", scratch.resolve("work").toString()));
        args.addAll(opts);
        args.add("--");
        args.addAll(List.of(argv));
        return harness.run(prefix, user, args);
    }
}
