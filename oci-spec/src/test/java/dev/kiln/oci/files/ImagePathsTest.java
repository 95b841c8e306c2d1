package dev.kiln.oci.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePathsTest {
    /** Rows from Go's own path.Clean documentation and tests (relative, rooted, dot-dot folding). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "|.", "abc|abc", "abc/def|abc/def", ".|.", "..|..", "../..|../..", "../../abc|../../abc",
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
    @CsvSource(delimiter = '|', emptyValue = "", value = {"/|", "|", "/a/b/|a/b", "a/../..|", "/x/./y|x/y"})
    void relative_isTheCleanAbsolutePathWithoutItsSlash(String in, String out) {
        assertThat(ImagePaths.relative(in)).isEqualTo(out);
    }
}
