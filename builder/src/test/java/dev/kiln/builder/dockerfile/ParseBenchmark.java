package dev.kiln.builder.dockerfile;

import dev.kiln.builder.plan.BuildPlan;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import java.util.Arrays;
import java.util.Map;

/**
 * Times parsing a generated 10,000-instruction Dockerfile (not a test: run by
 * {@code scripts/bench/parse.sh}). Prints median and best of several timed runs after warm-up,
 * plus the first (cold) run.
 */
public final class ParseBenchmark {
    private ParseBenchmark() {}

    /** A Dockerfile with {@code n} instructions of every common kind, in 50 stages. */
    public static String generate(int n) {
        StringBuilder sb = new StringBuilder("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\n");
        int count = 1;
        int stage = 0;
        while (count < n) {
            if (count % 200 == 1) {
                sb.append("FROM ${BASE} AS s").append(stage++).append('\n');
            } else {
                switch (count % 8) {
                    case 0 -> sb.append("RUN apt-get update \\\n    && apt-get install -y curl git \\\n"
                            + "    && rm -rf /var/lib/apt/lists/*\n");
                    case 1 -> sb.append("COPY --chown=1000:1000 --chmod=644 src/").append(count).append(" /app/\n");
                    case 2 -> sb.append("ENV PATH=/opt/bin:$PATH GREETING=\"hello world\"\n");
                    case 3 -> sb.append("ARG VERSION_").append(count).append("=1.").append(count).append('\n');
                    case 4 -> sb.append("LABEL org.example.step=\"").append(count).append("\"\n");
                    case 5 -> sb.append("RUN --mount=type=cache,target=/root/.cache [\"pip\", \"install\", \"x\"]\n");
                    case 6 -> sb.append("RUN <<EOF\nset -e\necho ").append(count).append("\nEOF\n");
                    default -> sb.append("WORKDIR /app/").append(count).append('\n');
                }
            }
            count++;
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String text = generate(n);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long cold = time(text);
        long coldCpu = mx.getCurrentThreadCpuTime() - cpu0;
        for (int i = 0; i < 15; i++) {
            time(text);
        }
        long[] parse = new long[21];
        for (int i = 0; i < parse.length; i++) {
            parse[i] = time(text);
        }
        Arrays.sort(parse);
        Dockerfile df = Dockerfile.parse("Dockerfile", text);
        PlanOptions opts = new PlanOptions(Map.of(), null, "linux/amd64", "linux/amd64");
        long[] planTimes = new long[11];
        BuildPlan plan = null;
        for (int i = -5; i < planTimes.length; i++) {
            long p0 = System.nanoTime();
            plan = Planner.plan(df, opts);
            if (i >= 0) {
                planTimes[i] = System.nanoTime() - p0;
            }
        }
        Arrays.sort(planTimes);
        System.out.printf("instructions: %d (%d lines, %d stages planned)%n", df.instructions().size(),
                text.split("\n", -1).length - 1, plan.stages().size());
        System.out.printf("parse+type, first run (cold JVM): %.1f ms wall, %.1f ms CPU of the parsing thread%n",
                cold / 1e6, coldCpu / 1e6);
        System.out.printf("parse+type, warm: median %.1f ms, best %.1f ms (%d runs)%n", parse[parse.length / 2] / 1e6,
                parse[0] / 1e6, parse.length);
        System.out.printf("plan all 50 stages, warm: median %.1f ms%n", planTimes[planTimes.length / 2] / 1e6);
        System.out.printf("machine: %d cores, load average %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage());
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static long time(String text) {
        long t0 = System.nanoTime();
        Dockerfile df = Dockerfile.parse("Dockerfile", text);
        long t = System.nanoTime() - t0;
        if (df.instructions().isEmpty()) {
            throw new IllegalStateException("nothing parsed");
        }
        return t;
    }
}
