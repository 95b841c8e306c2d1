package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * A small command line over the runtime for the integration tests, which start it as an
 * unprivileged user ({@code runuser -u kiln-test -- java -cp … Harness …}). Exits with the
 * container's exit code and prints one {@code harness:} line on stderr with what it measured.
 *
 * <pre>
 * Harness [--rootfs DIR | --lower DIR ... --upper DIR --work DIR] [--user UID:GID]
 *         [--env K=V] [--cwd DIR] [--net none] [--stop-after MS] [--repeat N]
 *         [--allocate] [--isolation auto|userns|chroot] [--no-overlay] [--no-chown-record]
 *         -- ARGV...
 * </pre>
 */
public final class Harness {
    public static void main(String[] args) throws Exception {
        String isolationArg = value(args, "--isolation", "auto");
        Isolation isolation = Isolation.valueOf(isolationArg.toUpperCase());
        OptionalInt outer = Userns.ensureInside(args, isolation);
        if (outer.isPresent()) {
            System.exit(outer.getAsInt());
        }
        int dash = Arrays.asList(args).indexOf("--");
        List<String> argv = List.of(args).subList(dash + 1, args.length);
        List<String> opts = List.of(args).subList(0, dash);
        RootFs rootfs;
        if (opts.contains("--rootfs")) {
            rootfs = RootFs.directory(Path.of(value(args, "--rootfs", null)));
        } else {
            List<Path> lowers = new ArrayList<>();
            for (String v : values(opts, "--lower")) {
                lowers.add(Path.of(v));
            }
            rootfs = RootFs.overlay(lowers, Path.of(value(args, "--upper", null)),
                    Path.of(value(args, "--work", null)));
        }
        ExecSpec spec = ExecSpec.of(rootfs, argv).withEnv(values(opts, "--env"))
                .withWorkDir(value(args, "--cwd", "/"));
        String user = value(args, "--user", null);
        if (user != null) {
            String[] ug = user.split(":");
            spec = spec.withUser(User.of(Integer.parseInt(ug[0]), Integer.parseInt(ug[1])));
        }
        List<Mount> mounts = new ArrayList<>();
        for (String b : values(opts, "--bind")) {
            String[] parts = b.split(":");
            mounts.add(Mount.bind(Path.of(parts[0]), parts[1], parts.length > 2 && parts[2].equals("ro")));
        }
        for (String t : values(opts, "--tmpfs")) {
            int colon = t.indexOf(':');
            mounts.add(colon < 0 ? Mount.tmpfs(t) : new Mount.Tmpfs(t.substring(0, colon), t.substring(colon + 1)));
        }
        spec = spec.withMounts(mounts);
        if ("none".equals(value(args, "--net", "host"))) {
            spec = spec.withNetwork(Network.NONE);
        }
        int repeat = Integer.parseInt(value(args, "--repeat", "1"));
        long stopAfter = Long.parseLong(value(args, "--stop-after", "-1"));
        List<Thread> hogs = opts.contains("--allocate") ? Allocators.start(2) : List.of();
        SandboxOptions options = SandboxOptions.of(isolation).withOverlay(!opts.contains("--no-overlay"))
                .withRecordOwners(!opts.contains("--no-chown-record"));
        try (Sandbox sandbox = Sandbox.open(options)) {
            ExecResult last = null;
            long[] nanos = new long[repeat];
            long[] startNanos = new long[repeat];
            int failures = 0;
            for (int i = 0; i < repeat; i++) {
                long t0 = System.nanoTime();
                try {
                    Execution e = sandbox.start(spec);
                    startNanos[i] = System.nanoTime() - t0;
                    if (stopAfter >= 0) {
                        Thread.sleep(300);
                        last = e.stop(java.time.Duration.ofMillis(stopAfter));
                    } else {
                        last = e.waitFor();
                    }
                    if (!last.succeeded()) {
                        failures++;
                    }
                } catch (SandboxException ex) {
                    System.err.println("harness-error: " + ex.getMessage()
                            + ex.hint().map(h -> " | hint: " + h).orElse(""));
                    System.exit(99);
                }
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            Arrays.sort(startNanos);
            System.err.printf("harness: isolation=%s overlay=%s retries=%d failures=%d "
                            + "median_us=%d p90_us=%d start_median_us=%d signal=%s chown_recorded=%s%n",
                    sandbox.isolation(), sandbox.overlaySupported(), sandbox.watchdogRetries(),
                    failures, nanos[repeat / 2] / 1000, nanos[(int) (repeat * 0.9)] / 1000,
                    startNanos[repeat / 2] / 1000,
                    last.signal().isPresent() ? last.signal().getAsInt() : "none", sandbox.recordsOwners());
            hogs.forEach(Thread::interrupt);
            System.exit(last.exitCode());
        }
    }

    private static String value(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static List<String> values(List<String> opts, String name) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < opts.size() - 1; i++) {
            if (opts.get(i).equals(name)) {
                out.add(opts.get(i + 1));
            }
        }
        return out;
    }

    /** Threads that allocate and drop garbage as fast as they can, to keep the GC busy. */
    static final class Allocators {
        static volatile Object sink;

        static List<Thread> start(int n) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> {
                    List<byte[]> keep = new ArrayList<>();
                    while (!Thread.currentThread().isInterrupted()) {
                        keep.add(new byte[1024 * (1 + (keep.size() % 64))]);
                        if (keep.size() > 4000) {
                            keep.clear();
                        }
                        sink = keep;
                    }
                }, "allocator-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            return threads;
        }
    }
}
