package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.plan.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Feeds random and mutated Dockerfiles (fixed seed) through parse, typing, planning and expansion:
 * each must return or throw {@link DockerfileException}; never another exception, never hang. The
 * timeout is a hang guard, not a speed assertion.
 */
class ParserFuzzTest {

    private static final long SEED = 0x6b696c6eL;
    private static final int BATCHES = 10;
    private static final int PER_BATCH = 600;
    private static final String[] TOKENS = {
        "FROM", "RUN", "CMD", "COPY", "ADD", "ENV", "ARG", "LABEL", "EXPOSE", "ONBUILD", "HEALTHCHECK", "SHELL",
        "WORKDIR", "USER", "VOLUME", "STOPSIGNAL", "MAINTAINER", "AS", "scratch", "alpine", "--from=0", "--mount=",
        "type=cache,target=/x", "--chown=1:1", "--interval=5s", "--platform=$P", "NONE", "CMD", "<<EOF", "<<-EOF",
        "EOF", "\tEOF", "<<'E'", "E", "\\", "`", "\"", "'", "$", "${", "}", "${a:-b}", "${a#*/}", "${a//x/y}",
        "${a%%.*}", "[", "]", "[\"a\",", "\"b\"]", "=", "a=b", "#", "# escape=`", "# syntax=x", "\n", "\n",
        "\n", " ", " ", "\t", "\r", "80/tcp", "1-2/udp", "x", "/", ".", "..", "\u00e9", "\u2603", "--", "-"
    };
    private static final String INTERESTING = "\\`\"'${}[]<>-=#\n\t \r:,/!*?";

    private static List<String> seeds() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(TestData.conformance("parser"))) {
            for (Path d : dirs.sorted().toList()) {
                out.add(TestData.read(d.resolve("Dockerfile")));
            }
        }
        out.add("FROM a AS b\nRUN <<EOF\necho\nEOF\nCOPY <<a <<b /d/\nA\na\nB\nb\nFROM b\nCOPY --from=b /x /y\n");
        out.add("ARG V=1\nFROM x:${V}\nRUN --mount=type=secret,id=s --network=none cat <<-E\n\tx\n\tE\n"
                + "HEALTHCHECK --interval=1s CMD [\"true\"]\nEXPOSE 80 81/udp\nONBUILD RUN x\n");
        return out;
    }

    @TestFactory
    Stream<DynamicTest> parse_randomAndMutatedInput_returnsOrThrowsDockerfileException() throws IOException {
        List<String> seeds = seeds();
        return IntStream.range(0, BATCHES).mapToObj(batch -> dynamicTest("batch " + batch, () ->
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    Random rnd = new Random(SEED + batch);
                    int parsed = 0;
                    for (int i = 0; i < PER_BATCH; i++) {
                        String input = rnd.nextInt(4) == 0 ? random(rnd) : mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                        if (exercise(input)) {
                            parsed++;
                        }
                    }
                    assertThat(parsed).as("some inputs must survive parsing, or the fuzzer tests nothing")
                            .isGreaterThan(PER_BATCH / 20);
                })));
    }

    @TestFactory
    Stream<DynamicTest> ignoreFile_randomPatterns_matchOrThrowDockerfileException() {
        String alphabet = "ab/*?[]^!-\\.{}()+|$ \n#&";
        return IntStream.range(0, 3).mapToObj(batch -> dynamicTest("batch " + batch, () ->
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    Random rnd = new Random(SEED ^ (batch + 100));
                    int loaded = 0;
                    for (int i = 0; i < 1000; i++) {
                        StringBuilder sb = new StringBuilder();
                        int n = 1 + rnd.nextInt(24);
                        for (int k = 0; k < n; k++) {
                            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                        }
                        try {
                            IgnoreMatcher m = IgnoreMatcher.parse(".dockerignore", sb.toString());
                            loaded++;
                            for (String path : List.of("a", "a/b", "b/a/b", ".a", "a*b", "[a]/b")) {
                                m.excluded(path);
                            }
                            m.mayReincludeBelow("a/b");
                        } catch (DockerfileException expected) {
                            // a malformed pattern: fine
                        } catch (RuntimeException | StackOverflowError e) {
                            throw new AssertionError("ignore matcher threw " + e + " for:\n" + sb, e);
                        }
                    }
                    assertThat(loaded).isGreaterThan(100);
                })));
    }

    @org.junit.jupiter.api.Test
    void parse_pathologicalNesting_isBoundedNotAStackOverflow() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            String onbuilds = "FROM a\n" + "ONBUILD ".repeat(200_000) + "RUN x\n";
            String json = "FROM a\nCMD " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";
            String vars = "FROM a\nENV A=" + "${a:-".repeat(100_000) + "}".repeat(100_000) + "\n";
            String longLine = "FROM a\nRUN " + "x ".repeat(1_000_000) + "\n";
            for (String input : List.of(onbuilds, json, vars, longLine)) {
                exercise(input);
            }
            assertThat(DockerfileParser.parse("Dockerfile", json).nodes().get(1).json())
                    .as("too deep to be JSON for kiln: shell form").isFalse();
        });
    }

    /** True when the input parsed. Any exception other than DockerfileException fails the test. */
    private static boolean exercise(String input) {
        Dockerfile df;
        try {
            DockerfileParser.parse("Dockerfile", input).dump();
            df = Dockerfile.parse("Dockerfile", input);
        } catch (DockerfileException expected) {
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("parser threw " + e + " for input:\n" + input, e);
        }
        try {
            Planner.plan(df, new PlanOptions(Map.of("a", "1"), null, "linux/amd64", "linux/amd64"));
        } catch (DockerfileException expected) {
            // fine
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("planner threw " + e + " for input:\n" + input, e);
        }
        WordExpander x = df.lexer().expander(Map.of("a", "x/y.z", "P", "linux/amd64"));
        for (Instruction in : df.instructions()) {
            try {
                Instruction e = in.expandAt(x);
                if (e instanceof ExposeInstruction ex) {
                    ex.portSpecs();
                }
                x.words(in.text());
            } catch (DockerfileException expected) {
                // fine
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("expansion threw " + e + " for input:\n" + input, e);
            }
        }
        return true;
    }

    private static String random(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(TOKENS[rnd.nextInt(TOKENS.length)]);
            sb.append(rnd.nextInt(3) == 0 ? "\n" : " ");
        }
        return sb.toString();
    }

    private static String mutate(String seed, Random rnd) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + rnd.nextInt(8);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int pos = rnd.nextInt(sb.length() + 1);
            switch (rnd.nextInt(6)) {
                case 0 -> sb.insert(pos, INTERESTING.charAt(rnd.nextInt(INTERESTING.length())));
                case 1 -> {
                    if (pos < sb.length()) {
                        sb.deleteCharAt(pos);
                    }
                }
                case 2 -> sb.insert(pos, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 3 -> {
                    if (pos < sb.length()) {
                        sb.setCharAt(pos, (char) rnd.nextInt(0x80));
                    }
                }
                case 4 -> sb.setLength(pos);
                default -> {
                    int from = rnd.nextInt(sb.length());
                    int to = Math.min(sb.length(), from + rnd.nextInt(40));
                    sb.insert(pos, sb.substring(from, to));
                }
            }
        }
        return sb.toString();
    }
}
