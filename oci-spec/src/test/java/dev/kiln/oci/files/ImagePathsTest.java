package dev.kiln.oci.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePathsTest {
    /** Rows from Go's own path.Clean documentation and tests (relative, rooted, dot-dot folding). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|.", "abc|abc", "abc/def|abc/def", ".|.", "..|..", "../..|../..", "../../abc|../../abc",
        "/abc|/abc", "/|/", "abc/|abc", "abc/def/|abc/def", "/abc/def/|/abc/def", "abc//def//ghi|abc/def/ghi",
        "//abc|/abc", "abc/./def|abc/def", "/./abc/def|/abc/def", "abc/.|abc", "abc/def/ghi/../jkl|abc/def/jkl",
        "abc/def/../ghi/../jkl|abc/jkl", "abc/def/..|abc", "abc/def/../..|.", "/abc/def/../..|/",
        "abc/def/../../..|..", "/abc/def/../../..|/", "abc/def/../../../ghi/jkl/../../../mno|../../mno",
        "abc/./../def|def", "abc//./../def|def", "abc/../../././../def|../../def"})
    void clean_isGosPathClean(String in, String out) {
        assertThat(ImagePaths.clean(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "null|app|/app", "/|app|/app", "/app|src|/app/src", "/app|/etc|/etc", "/app|..|/", "/app|../../x|/x",
        "/a/b|./c/|/a/b/c"})
    void resolve_takesRelativePathsFromTheBase(String base, String path, String out) {
        assertThat(ImagePaths.resolve(base, path)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/|''", "''|''", "/a/b/|a/b", "a/../..|''", "/x/./y|x/y"})
    void relative_isTheCleanAbsolutePathWithoutItsSlash(String in, String out) {
        assertThat(ImagePaths.relative(in)).isEqualTo(out);
    }

    /** The same fold as clean, but a name read inside a root refuses a climb where clean stops at the root. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "''|''", "/|''", ".|''", "./|''", "a|a", "./a/|a", "/a//b/./c|a/b/c", "a/../b|b", "a/b/../..|''",
        "a/b/../../c|c", "..|null", "../a|null", "a/../..|null", "/../a|null", "a/./../../b|null"})
    void inside_foldsLikeCleanButRefusesClimbingAboveTheRoot(String in, String out) {
        assertThat(ImagePaths.inside(in).map(p -> String.join("/", p)).orElse(null)).isEqualTo(out);
    }
}
