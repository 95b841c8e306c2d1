package dev.kiln.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Containers over one busybox lower dir, run as the unprivileged user named by an environment
 * variable through {@link RootlessHarness}; each run gets a fresh upper and work dir.
 */
final class BusyboxContainers {
    private final String user;
    private final RootlessHarness harness;
    private final Path lower;
    private int counter;

    private BusyboxContainers(String user, RootlessHarness harness, Path lower) {
        this.user = user;
        this.harness = harness;
        this.lower = lower;
    }

    private Path lastUpper;

    /** Skips the test (loudly, see {@link RootlessHarness#user}) when the user cannot be used. */
    static BusyboxContainers forUser(String envVar) throws IOException {
        String user = RootlessHarness.user(envVar);
        RootlessHarness harness = RootlessHarness.create();
        try {
            return new BusyboxContainers(user, harness, harness.busyboxRootfs(user, "busybox"));
        } catch (IOException | RuntimeException e) {
            harness.delete();
            throw e;
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

    void delete() {
        harness.delete();
    }
}
