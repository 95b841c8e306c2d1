package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pattern operators BuildKit supports but its tables do not cover. */
class ExpansionTest {

    private static final Map<String, String> ENV = Map.of(
            "path", "/usr/local/lib/libfoo.so.1", "file", "archive.tar.gz", "v", "aXbXc", "empty", "",
            "ver", "v1.2.3");

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "${path#*/}|usr/local/lib/libfoo.so.1",
        "${path##*/}|libfoo.so.1",
        "${file%.*}|archive.tar",
        "${file%%.*}|archive",
        "${file#nomatch}|archive.tar.gz",
        "${file%.gz}|archive.tar",
        "${ver#v}|1.2.3",
        "${ver#[a-z]}|1.2.3",
        "${ver##[!0-9]}|1.2.3",
        "${v/X/-}|a-bXc",
        "${v//X/-}|a-b-c",
        "${v/X*/!}|a!",
        "${v//?/.}|.....",
        "${file/.tar/}|archive.gz",
        "${unset#x}|\"\"",
        "${unset//x/y}|\"\"",
        "${path/\\/usr/\\/opt}|/opt/local/lib/libfoo.so.1",
        "${v/#a/A}|aXbXc",
        "${file#*.}|tar.gz",
        "${file##*.}|gz",
        "\"${file%.*}\"|archive.tar",
    })
    void word_patternOperators_matchShellSemantics(String input, String expected) {
        String want = expected.equals("\"\"") ? "" : expected;
        assertThat(ShellLex.of('\\').word(input, ENV)).isEqualTo(want);
    }

    /** {@code ${v//X}} without a replacement is an error in BuildKit (it wants the second slash). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"${v:#x}", "${v:%x}", "${v/x", "${v//X}", "${v#x", "${v?custom message}"})
    void word_badOrFailingPatternOperators_throw(String input) {
        assertThatThrownBy(() -> ShellLex.of('\\').word(input, Map.of())).isInstanceOf(DockerfileException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"`$v|$v", "a``b|a`b", "\\$v|\\aXbXc"})
    void word_backtickEscape_escapesWithBacktick(String input, String expected) {
        assertThat(ShellLex.of('`').word(input, ENV)).isEqualTo(expected);
    }
}
