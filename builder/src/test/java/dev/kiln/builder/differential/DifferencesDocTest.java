package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/differential.md lists the same differences as testdata/build. To regenerate its block:
 * {@code mvn -pl builder -am test -Dtest=DifferencesDocTest -Dsurefire.failIfNoSpecifiedTests=false -Dkiln.writeDocs=true}.
 */
class DifferencesDocTest {
    private static final Path DOC = Path.of("..", "docs", "differential.md").toAbsolutePath().normalize();

    @Test
    void differentialDoc_listsExactlyTheExpectedDifferences() throws Exception {
        String text = Files.readString(DOC, StandardCharsets.UTF_8);
        String expected = DifferencesDoc.replaceBlock(text, DifferencesDoc.render(BuildahDifferentialIT.CASES, BuildahDifferentialIT.all()));
        if (Boolean.getBoolean("kiln.writeDocs")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(text).as("docs/differential.md is out of date with testdata/build/*/"
                + ExpectedDifferences.FILE_NAME + "; regenerate it with -Dkiln.writeDocs=true (see this test's doc)")
                .isEqualTo(expected);
    }

    @Test
    void render_everyCaseHasASection() throws Exception {
        String block = DifferencesDoc.render(BuildahDifferentialIT.CASES, BuildahDifferentialIT.all());
        for (BuildCase c : BuildahDifferentialIT.all()) {
            assertThat(block).contains("### `" + c.name() + "`");
        }
        assertThat(block).startsWith(DifferencesDoc.BEGIN).endsWith(DifferencesDoc.END);
    }
}
