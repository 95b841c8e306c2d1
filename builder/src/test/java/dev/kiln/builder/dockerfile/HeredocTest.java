package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeredocTest {

    private static Instruction only(String text, int index) {
        return Dockerfile.parse("Dockerfile", text).instructions().get(index);
    }

    @Test
    void parse_runHeredoc_isTheScriptAndSpansItsLines() {
        Dockerfile df = Dockerfile.parse("Dockerfile", "FROM busybox\nRUN <<EOF\necho one\necho two\nEOF\nUSER nobody\n");
        RunInstruction run = (RunInstruction) df.instructions().get(1);
        assertThat(run.heredocs()).hasSize(1);
        assertThat(run.heredocs().get(0).content()).isEqualTo("echo one\necho two\n");
        assertThat(run.heredocs().get(0).expand()).isTrue();
        assertThat(run.script()).contains(run.heredocs().get(0));
        assertThat(run.range().startLine()).isEqualTo(2);
        assertThat(run.range().endLine()).isEqualTo(5);
        assertThat(df.instructions().get(2)).isInstanceOf(UserInstruction.class);
        assertThat(df.instructions().get(2).range().startLine()).isEqualTo(6);
    }

    @Test
    void parse_dashHeredoc_stripsLeadingTabsFromBodyAndTerminator() {
        RunInstruction run = (RunInstruction) only("FROM a\nRUN <<-EOT\n\t\techo hi\n\t  spaced\n\tEOT\n", 1);
        assertThat(run.heredocs().get(0).content()).isEqualTo("echo hi\n  spaced\n");
        assertThat(run.heredocs().get(0).chomp()).isTrue();
    }

    @Test
    void parse_withoutDash_keepsTabsAndNeedsExactTerminator() {
        RunInstruction run = (RunInstruction) only("FROM a\nRUN <<EOT\n\techo hi\n\tEOT\nEOT\n", 1);
        assertThat(run.heredocs().get(0).content()).isEqualTo("\techo hi\n\tEOT\n");
    }

    @Test
    void parse_quotedDelimiter_disablesExpansion() {
        RunInstruction single = (RunInstruction) only("FROM a\nRUN <<'EOF'\necho $HOME\nEOF\n", 1);
        RunInstruction dbl = (RunInstruction) only("FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\n", 1);
        assertThat(single.heredocs().get(0).name()).isEqualTo("EOF");
        assertThat(single.heredocs().get(0).expand()).isFalse();
        assertThat(dbl.heredocs().get(0).expand()).isFalse();
    }

    @Test
    void parse_severalHeredocsOnOneLine_readInOrder() {
        RunInstruction run = (RunInstruction) only(
                "FROM a\nRUN cat <<A > /a && 3<<-B cat\nfirst\nA\n\tsecond\n\tB\nCMD x\n", 1);
        assertThat(run.heredocs()).extracting(Heredoc::name).containsExactly("A", "B");
        assertThat(run.heredocs()).extracting(Heredoc::content).containsExactly("first\n", "second\n");
        assertThat(run.heredocs().get(1).fileDescriptor()).isEqualTo(3);
        assertThat(run.script()).isEmpty();
        assertThat(run.command().args()).containsExactly("cat <<A > /a && 3<<-B cat");
    }

    @Test
    void parse_copyHeredoc_isAnInlineSourceExpandedAtDispatch() {
        CopyInstruction copy = (CopyInstruction) only("FROM a\nCOPY <<EOF /etc/greeting\nhello \"$NAME\"\nEOF\n", 1);
        assertThat(copy.files().sources()).containsExactly("<<EOF");
        assertThat(copy.files().dest()).isEqualTo("/etc/greeting");
        Heredoc doc = copy.files().heredocFor("<<EOF").orElseThrow();
        assertThat(doc.content()).isEqualTo("hello \"$NAME\"\n");
        CopyInstruction expanded = copy.expand(ShellLex.of('\\').expander(Map.of("NAME", "kiln")));
        assertThat(expanded.files().heredocFor("<<EOF").orElseThrow().content()).isEqualTo("hello \"kiln\"\n");
        assertThat(expanded.files().sources()).containsExactly("<<EOF");
    }

    @Test
    void parse_copyTwoHeredocsToDirectory_keepsBoth() {
        CopyInstruction copy = (CopyInstruction) only("FROM a\nCOPY <<a <<b /dir/\nA\na\nB\nb\n", 1);
        assertThat(copy.files().sources()).containsExactly("<<a", "<<b");
        assertThat(copy.files().heredocs()).extracting(Heredoc::content).containsExactly("A\n", "B\n");
    }

    @Test
    void parse_heredocOnOtherInstruction_isPlainText() {
        LabelInstruction label = (LabelInstruction) only("FROM a\nLABEL x=<<EOF\n", 1);
        assertThat(label.labels()).containsExactly(new KeyValue("x", "<<EOF", false));
    }

    @Test
    void parse_unterminatedHeredoc_failsWithLocation() {
        assertThatThrownBy(() -> Dockerfile.parse("Dockerfile", "FROM a\nRUN <<EOF\necho\n"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2:1: unterminated heredoc `<<EOF`");
    }

    @Test
    void parse_hereStringAndBareShift_areNotHeredocs() {
        RunInstruction run = (RunInstruction) only("FROM a\nRUN cat <<< hi && echo $((1 << 2))\n", 1);
        assertThat(run.heredocs()).isEmpty();
        assertThat(List.of(run.command().args().get(0))).containsExactly("cat <<< hi && echo $((1 << 2))");
    }

    @Test
    void parse_onbuildRunHeredoc_givesTheTriggerItsBody() {
        Dockerfile df = Dockerfile.parse("Dockerfile", "FROM a\nONBUILD RUN <<EOF\necho later\nEOF\nCMD x\n");
        OnbuildInstruction o = (OnbuildInstruction) df.instructions().get(1);
        RunInstruction inner = (RunInstruction) o.inner();
        assertThat(inner.script()).hasValueSatisfying(h -> assertThat(h.content()).isEqualTo("echo later\n"));
        assertThat(o.range().endLine()).isEqualTo(4);
        assertThat(df.instructions().get(2).range().startLine()).isEqualTo(5);
    }
}
