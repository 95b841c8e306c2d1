package dev.kiln.oci.testing;

import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Fuzzes layer extraction with {@link HostileTars}: each case is a fresh {@link CanarySandbox},
 * one or more generated layers extracted into its root, and a check that nothing outside the root
 * changed and nothing inside is a hardlink to a file outside. Refusals are fine (a hostile layer
 * may be refused); a write outside the root is not, and neither is an exception other than a
 * {@link KilnException} or an {@link IOException} (a crash a user would see as a stack trace).
 *
 * <p>The budget is a count of cases, not a time. The seed is printed with the report and read from
 * {@code -Dkiln.fuzz.seed}; {@code -Dkiln.fuzz.count} changes the count. A failure names the case's
 * own seed (rerun it alone with that seed and a count of 1) and the entries of a minimised archive.
 */
public final class ExtractionFuzzer {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** How a mode extracts its layers, bottom first, into a root that exists and is empty. */
    @FunctionalInterface
    public interface Extraction {
        void extract(List<byte[]> layers, Path root) throws IOException;
    }

    /**
     * @param maxLayers layers per case (flatten mode stacks several in one root; overlay mode
     *                  extracts each layer into its own directory, so 1)
     */
    public record Mode(String name, int maxLayers, Extraction extraction) {
    }

    /** What a run did: cases and entries tried, outcomes by kind. */
    public record Report(String mode, long seed, int cases, int layers, int entries, Map<String, Integer> outcomes,
                         long cpuMillis) {
        @Override
        public String toString() {
            return "extraction fuzz (" + mode + ", as " + System.getProperty("user.name") + "): " + cases
                    + " cases, " + layers + " layers, " + entries + " entries, seed " + seed
                    + " (-Dkiln.fuzz.seed=" + seed + "), 0 changes outside the root; outcomes " + outcomes
                    + "; " + cpuMillis + " ms of CPU";
        }

        /**
         * Fails unless every case ran and, for a real budget (a count under 100 is the replay of a
         * case), the generator produced both archives that extract and archives that are refused.
         */
        public void assertComplete(int count) {
            int ran = outcomes.values().stream().mapToInt(Integer::intValue).sum();
            if (cases != count || ran != count) {
                throw new AssertionError("extraction fuzz (" + mode + "): " + ran + " of " + count + " cases ran");
            }
            if (count >= 100 && !(outcomes.containsKey("extracted") && outcomes.containsKey("refused"))) {
                throw new AssertionError("extraction fuzz (" + mode + "): the generated archives were all of one kind, "
                        + outcomes + ": the generator no longer reaches both extraction and refusal");
            }
        }
    }

    private record Outcome(String kind, List<String> problems) {
    }

    private ExtractionFuzzer() {
    }

    /** The seed: {@code -Dkiln.fuzz.seed}, else a new one. */
    public static long seed() {
        String given = System.getProperty("kiln.fuzz.seed");
        return given == null || given.isBlank() ? System.nanoTime() ^ System.currentTimeMillis() * GOLDEN
                : Long.parseLong(given.trim());
    }

    /** The number of cases: {@code -Dkiln.fuzz.count}, else {@code defaultCount}. */
    public static int count(int defaultCount) {
        String given = System.getProperty("kiln.fuzz.count");
        return given == null || given.isBlank() ? defaultCount : Integer.parseInt(given.trim());
    }

    /**
     * Runs {@code count} cases in {@code work} (a scratch directory) and returns the report;
     * throws an AssertionError at the first case that changed something outside the root.
     */
    public static Report run(Mode mode, Path work, long seed, int count) throws IOException {
        long cpuStart = CPU.getCurrentThreadCpuTime();
        Path top = work.resolve("case");
        Map<String, Integer> outcomes = new TreeMap<>();
        int layers = 0;
        int entries = 0;
        CanarySandbox sandbox = fresh(top);
        for (int i = 0; i < count; i++) {
            long caseSeed = seed + i * GOLDEN;
            FileTrees.delete(sandbox.root()); // the sandbox is left as it was: only the root goes
            HostileTars generator = new HostileTars(caseSeed, sandbox.outsidePaths());
            List<List<HostileTars.Entry>> stack = new ArrayList<>();
            int n = 1 + (int) Math.floorMod(caseSeed, (long) mode.maxLayers());
            for (int l = 0; l < n; l++) {
                List<HostileTars.Entry> layer = generator.layer(16);
                stack.add(layer);
                entries += layer.size();
            }
            layers += n;
            Outcome outcome = runCase(mode, sandbox, stack);
            if (!outcome.problems().isEmpty()) {
                List<List<HostileTars.Entry>> minimal = minimise(mode, top, stack);
                Outcome again = runCase(mode, fresh(top), minimal);
                throw new AssertionError("extraction fuzz (" + mode.name() + "): case " + i + " of seed " + seed
                        + " changed the sandbox outside the root " + top.resolve("sandbox/d1/d2/root")
                        + "\n  rerun alone: -Dkiln.fuzz.seed=" + caseSeed + " -Dkiln.fuzz.count=1"
                        + "\n  outcome: " + outcome.kind() + "\n  problems:\n    "
                        + String.join("\n    ", outcome.problems())
                        + "\n  minimal archive (" + again.kind() + "):\n" + listing(minimal)
                        + "  its problems:\n    " + String.join("\n    ", again.problems()));
            }
            outcomes.merge(outcome.kind(), 1, Integer::sum);
        }
        FileTrees.delete(top);
        return new Report(mode.name(), seed, count, layers, entries, outcomes,
                (CPU.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
    }

    private static CanarySandbox fresh(Path top) throws IOException {
        FileTrees.delete(top);
        Files.createDirectories(top);
        return new CanarySandbox(top);
    }

    private static Outcome runCase(Mode mode, CanarySandbox sandbox, List<List<HostileTars.Entry>> stack)
            throws IOException {
        Path root = sandbox.root();
        Files.createDirectory(root);
        Map<String, String> before = sandbox.snapshot();
        List<byte[]> tars = stack.stream().map(HostileTars::tar).toList();
        String kind;
        List<String> problems = new ArrayList<>();
        try {
            mode.extraction().extract(tars, root);
            kind = "extracted";
        } catch (KilnException e) {
            kind = "refused";
        } catch (IOException e) {
            kind = "failed (" + e.getClass().getSimpleName() + ")";
        } catch (RuntimeException e) {
            kind = "crashed (" + e.getClass().getSimpleName() + ")";
            problems.add("unexpected " + e);
        }
        problems.addAll(CanarySandbox.changes(before, sandbox.snapshot()));
        for (String shared : sandbox.sharedInodes()) {
            problems.add(shared + ": a hardlink to a file outside the root");
        }
        return new Outcome(kind, problems);
    }

    /** Drops entries one at a time while the case still fails (delta debugging, one step at a time). */
    private static List<List<HostileTars.Entry>> minimise(Mode mode, Path top, List<List<HostileTars.Entry>> stack)
            throws IOException {
        List<List<HostileTars.Entry>> current = copy(stack);
        boolean shrunk = true;
        while (shrunk) {
            shrunk = false;
            for (int l = 0; l < current.size(); l++) {
                for (int e = 0; e < current.get(l).size(); e++) {
                    List<List<HostileTars.Entry>> candidate = copy(current);
                    candidate.get(l).remove(e);
                    if (!runCase(mode, fresh(top), candidate).problems().isEmpty()) {
                        current = candidate;
                        shrunk = true;
                        e--;
                    }
                }
            }
        }
        return current;
    }

    private static List<List<HostileTars.Entry>> copy(List<List<HostileTars.Entry>> stack) {
        List<List<HostileTars.Entry>> copy = new ArrayList<>();
        for (List<HostileTars.Entry> layer : stack) {
            copy.add(new ArrayList<>(layer));
        }
        return copy;
    }

    private static String listing(List<List<HostileTars.Entry>> stack) {
        StringBuilder b = new StringBuilder();
        for (int l = 0; l < stack.size(); l++) {
            b.append("    layer ").append(l + 1).append(stack.get(l).isEmpty() ? ": (no entries left)\n" : ":\n");
            b.append(stack.get(l).stream().map(e -> "      " + e + "\n").collect(Collectors.joining()));
        }
        return b.toString();
    }
}
