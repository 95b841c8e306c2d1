package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every row of dockerignore/cases.tsv and invalid.tsv. */
class ConformanceIgnoreTest {

    @TestFactory
    Stream<DynamicTest> excluded_casesRow_matchesDocker() {
        List<String> lines = TestData.read(TestData.conformance("dockerignore").resolve("cases.tsv")).lines().toList();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            assertThat(f).as("line %d", i + 1).hasSize(3);
            String ignore = String.join("\n", f[0].split(" "));
            boolean expected = switch (f[2]) {
                case "match" -> true;
                case "nomatch" -> false;
                default -> throw new AssertionError("bad expectation " + f[2]);
            };
            tests.add(dynamicTest("line " + (i + 1) + ": [" + f[0] + "] " + f[1], () ->
                    assertThat(IgnoreMatcher.parse(".dockerignore", ignore).excluded(f[1])).isEqualTo(expected)));
        }
        assertThat(tests).hasSize(145);
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> parse_invalidRow_failsTheBuild() {
        List<String> lines = TestData.read(TestData.conformance("dockerignore").resolve("invalid.tsv")).lines().toList();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            tests.add(dynamicTest("line " + (i + 1) + ": " + f[0] + " (" + f[1] + ")", () ->
                    assertThatThrownBy(() -> IgnoreMatcher.parse(".dockerignore", f[0]).excluded("Local-Only/x"))
                            .isInstanceOf(DockerfileException.class)
                            .hasMessageStartingWith(".dockerignore:1:1: ")));
        }
        assertThat(tests).hasSize(12);
        return tests.stream();
    }
}
