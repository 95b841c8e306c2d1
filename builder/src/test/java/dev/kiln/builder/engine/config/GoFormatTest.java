package dev.kiln.builder.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoFormatTest {
    @Test
    void duration_matchesGoString() {
        assertThat(GoFormat.duration(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoFormat.duration(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(GoFormat.duration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoFormat.duration(Duration.ofMinutes(5))).isEqualTo("5m0s");
        assertThat(GoFormat.duration(Duration.ofSeconds(3690))).isEqualTo("1h1m30s");
        assertThat(GoFormat.duration(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(GoFormat.duration(Duration.ofNanos(1500))).isEqualTo("1.5µs");
    }

    @Test
    void runeLiteral_matchesGoQuotedInt() {
        assertThat(GoFormat.runeLiteral(0)).isEqualTo("'\\x00'");
        assertThat(GoFormat.runeLiteral(3)).isEqualTo("'\\x03'");
        assertThat(GoFormat.runeLiteral(10)).isEqualTo("'\\n'");
        assertThat(GoFormat.runeLiteral(65)).isEqualTo("'A'");
    }

    @Test
    void lists_quotedAndPlain() {
        assertThat(GoFormat.quotedList(List.of("a b", "c\"d"))).isEqualTo("[\"a b\" \"c\\\"d\"]");
        assertThat(GoFormat.plainList(List.of("/a", "/b"))).isEqualTo("[/a /b]");
    }
}
