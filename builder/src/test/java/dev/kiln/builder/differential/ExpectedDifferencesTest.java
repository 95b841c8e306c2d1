package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectedDifferencesTest {
    @TempDir
    Path dir;

    private ExpectedDifferences list(String text) throws IOException {
        Path f = dir.resolve(ExpectedDifferences.FILE_NAME);
        Files.writeString(f, text);
        return ExpectedDifferences.read(f);
    }

    private static Difference d(String key) {
        return new Difference(key, "details");
    }

    @Test
    void judge_listedDifferences_pass_starMatchesAnyText() throws IOException {
        ExpectedDifferences l = list("# comment\n\nfile /a/* uid\tbecause\nlayers count\tbecause\n");
        assertThat(l.judge(List.of(d("file /a/b/c uid"), d("layers count")), ExpectedDifferences.read(dir.resolve("x")))
                .ok()).isTrue();
    }

    @Test
    void judge_unlistedDifference_fails() throws IOException {
        ExpectedDifferences.Verdict v = list("layers count\tbecause\n").judge(
                List.of(d("layers count"), d("file /a mode")), new ExpectedDifferences(List.of()));
        assertThat(v.ok()).isFalse();
        assertThat(v.unlisted()).extracting(Difference::key).containsExactly("file /a mode");
        assertThat(v.explain("case")).contains("not listed: file /a mode");
    }

    @Test
    void judge_listedDifferenceThatNoLongerOccurs_fails() throws IOException {
        ExpectedDifferences.Verdict v = list("layers count\tbecause\nfile /gone mode\twas so\n")
                .judge(List.of(d("layers count")), new ExpectedDifferences(List.of()));
        assertThat(v.stale()).extracting(ExpectedDifferences.Entry::pattern).containsExactly("file /gone mode");
        assertThat(v.explain("case")).contains("listed but no longer occurs: file /gone mode");
    }

    @Test
    void judge_sharedListExplainsToo_butIsNotStalePerCase() throws IOException {
        ExpectedDifferences shared = list("config Labels[io.buildah.version]\tbuildah's label\n");
        ExpectedDifferences own = new ExpectedDifferences(List.of());
        assertThat(own.judge(List.of(d("config Labels[io.buildah.version]")), shared).ok()).isTrue();
        assertThat(own.judge(List.of(), shared).ok()).isTrue();
        assertThat(shared.unmatched(List.of())).hasSize(1);
    }

    @Test
    void read_lineWithoutReason_isAnError() throws IOException {
        assertThatThrownBy(() -> list("file /a mode\n")).hasMessageContaining(":1: want KEY-PATTERN<TAB>REASON");
    }

    @Test
    void matches_patternCharactersAreLiteral() {
        ExpectedDifferences.Entry e = new ExpectedDifferences.Entry("history[3] RUN text", "r", "f:1");
        assertThat(e.matches(d("history[3] RUN text"))).isTrue();
        assertThat(e.matches(d("history3 RUN text"))).isFalse();
    }
}
