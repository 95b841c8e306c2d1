package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** BuildKit's lexer tables: every A and U row of envVarTest, every row of wordsTest. */
class ConformanceShellTest {

    private static final ShellLex LEX = ShellLex.of('\\');

    @TestFactory
    Stream<DynamicTest> word_envVarTestRow_expandsAsBuildkit() {
        Map<String, String> env = Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "NULL", "");
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = TestData.read(TestData.conformance("shell").resolve("envVarTest")).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            assertThat(f).as("line %d", i + 1).hasSize(3);
            String platform = f[0].strip();
            if (platform.equals("W")) {
                continue;
            }
            String input = f[1].strip();
            String expected = f[2].strip();
            tests.add(dynamicTest("line " + (i + 1) + ": " + input, () -> {
                if (expected.equals("error")) {
                    assertThatThrownBy(() -> LEX.word(input, env)).isInstanceOf(DockerfileException.class);
                } else {
                    assertThat(LEX.word(input, env)).isEqualTo(expected);
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(200);
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> words_wordsTestRow_splitsAsBuildkit() {
        Map<String, String> env = new HashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = TestData.read(TestData.conformance("shell").resolve("wordsTest")).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("ENV ")) {
                String kv = line.substring(4);
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
                continue;
            }
            String[] f = line.split("\\|", -1);
            assertThat(f).as("line %d", i + 1).hasSize(2);
            String input = f[0].strip();
            String expected = f[1].stripLeading();
            Map<String, String> snapshot = Map.copyOf(env);
            tests.add(dynamicTest("line " + (i + 1) + ": " + input, () -> {
                if (expected.equals("error")) {
                    assertThatThrownBy(() -> LEX.words(input, snapshot)).isInstanceOf(DockerfileException.class);
                } else {
                    assertThat(LEX.words(input, snapshot)).isEqualTo(Arrays.asList(expected.split(",", -1)));
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(20);
        return tests.stream();
    }
}
