package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** BuildKit's parser golden files: every case dumped and compared byte for byte. */
class ConformanceParserTest {

    private static List<Path> cases(String set) throws IOException {
        try (Stream<Path> s = Files.list(TestData.conformance(set))) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> parse_buildkitGoldenCase_dumpsIdenticalAst() throws IOException {
        List<Path> cases = cases("parser");
        assertThat(cases).hasSize(33);
        return cases.stream().map(dir -> dynamicTest(dir.getFileName().toString(), () -> {
            String text = TestData.read(dir.resolve("Dockerfile"));
            String expected = TestData.read(dir.resolve("result"));
            ParsedDockerfile parsed = DockerfileParser.parse("Dockerfile", text);
            assertThat(parsed.dump()).isEqualTo(expected);
        }));
    }

    /**
     * kiln's own cases in BuildKit's golden format ({@code testdata/parser/}), each restating what
     * BuildKit's parser source does where its own test files are silent (see testdata/README.md).
     */
    @TestFactory
    Stream<DynamicTest> parse_kilnCaseOfBuildkitBehaviour_dumpsIdenticalAst() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(TestData.root().resolve("parser"))) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).isNotEmpty();
        return cases.stream().map(dir -> dynamicTest(dir.getFileName().toString(), () -> {
            String text = TestData.read(dir.resolve("Dockerfile"));
            assertThat(DockerfileParser.parse("Dockerfile", text).dump()).isEqualTo(TestData.read(dir.resolve("result")));
            assertThat(Dockerfile.parse("Dockerfile", text).instructions())
                    .hasSize(DockerfileParser.parse("Dockerfile", text).nodes().size());
        }));
    }

    /**
     * The golden cases through the typed layer too: all type-check except the two that BuildKit's
     * parser accepts but its instruction layer rejects (unknown flags, a bare HEALTHCHECK).
     */
    @TestFactory
    Stream<DynamicTest> type_buildkitGoldenCase_typesOrFailsAsBuildkitDoes() throws IOException {
        java.util.Map<String, String> rejected = java.util.Map.of(
                "flags", "Dockerfile:3:6: unknown flag --user for COPY",
                "health", "Dockerfile:4:1: HEALTHCHECK requires at least one argument (CMD or NONE)");
        return cases("parser").stream().map(dir -> dynamicTest(dir.getFileName().toString(), () -> {
            String text = TestData.read(dir.resolve("Dockerfile"));
            String name = dir.getFileName().toString();
            if (rejected.containsKey(name)) {
                assertThatThrownBy(() -> Dockerfile.parse("Dockerfile", text)).hasMessage(rejected.get(name));
            } else {
                Dockerfile df = Dockerfile.parse("Dockerfile", text);
                assertThat(df.instructions()).hasSize(DockerfileParser.parse("Dockerfile", text).nodes().size());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> parse_buildkitNegativeCase_isRejected() throws IOException {
        List<Path> cases = cases("parser-negative");
        assertThat(cases).hasSize(4);
        return cases.stream().map(dir -> dynamicTest(dir.getFileName().toString(), () -> {
            String text = TestData.read(dir.resolve("Dockerfile"));
            assertThatThrownBy(() -> DockerfileParser.parse("Dockerfile", text))
                    .isInstanceOf(DockerfileException.class)
                    .hasMessageStartingWith("Dockerfile:");
        }));
    }

    @Test
    void parse_lineRanges_matchBuildkitExpectations() {
        Path dir = TestData.conformance("parser-lines");
        ParsedDockerfile parsed = DockerfileParser.parse("Dockerfile", TestData.read(dir.resolve("Dockerfile")));
        List<String> rows = TestData.read(dir.resolve("expected.tsv")).lines().skip(1).toList();
        assertThat(rows).hasSize(4);
        for (String row : rows) {
            String[] f = row.split("\t");
            SourceRange r = f[0].equals("file")
                    ? parsed.range()
                    : parsed.nodes().get(Integer.parseInt(f[0]) - 1).range();
            assertThat(new int[] {r.startLine(), r.endLine()})
                    .as("node %s", f[0])
                    .containsExactly(Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        }
    }
}
