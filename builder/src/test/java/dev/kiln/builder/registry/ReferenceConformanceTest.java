package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.dockerfile.TestData;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Docker's own normalisation cases ({@code testdata/conformance/reference/normalize.tsv}, from
 * distribution/reference's tests): every valid input gives docker's full name and familiar form,
 * and the familiar form parses back to the same reference; every invalid input is refused.
 */
class ReferenceConformanceTest {

    static Stream<Arguments> rows() {
        List<String> lines = TestData.read(TestData.conformance("reference").resolve("normalize.tsv")).lines()
                .filter(l -> !l.startsWith("#") && !l.startsWith("input\t"))
                .toList();
        return lines.stream().map(l -> {
            String[] f = l.split("\t", -1);
            if (f.length != 3) {
                throw new IllegalStateException("normalize.tsv: not 3 columns: " + l);
            }
            return Arguments.of(f[0], f[1], f[2]);
        });
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rows")
    void parse_normalisesAsDocker(String input, String full, String familiar) {
        if (full.equals("invalid")) {
            assertThatThrownBy(() -> Reference.parse(input))
                    .as("%s should be refused (%s)", input, familiar)
                    .isInstanceOf(InvalidReferenceException.class);
            return;
        }
        Reference r = Reference.parse(input);
        assertThat(r.toString()).as("full name of %s", input).isEqualTo(full);
        assertThat(r.familiarString()).as("familiar form of %s", input).isEqualTo(familiar);
        assertThat(Reference.parse(r.familiarString())).as("familiar form parsed back").isEqualTo(r);
    }
}
