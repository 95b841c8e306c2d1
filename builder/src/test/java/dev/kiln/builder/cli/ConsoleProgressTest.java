package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.progress.ProgressEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private static String render(boolean tty) {
        StringWriter sw = new StringWriter();
        ConsoleProgress p = new ConsoleProgress(new PrintWriter(sw), tty);
        p.on(new ProgressEvent.Started("abc", "layer", 2_000_000));
        p.on(new ProgressEvent.Advanced("abc", 1_000_000, 2_000_000));
        p.on(new ProgressEvent.Finished("abc", "downloaded"));
        p.on(new ProgressEvent.Message("done"));
        return sw.toString();
    }

    @Test
    void plain_printsOneLinePerFinishedBlobAndMessage_noEscapes() {
        assertThat(render(false)).isEqualTo("abc: downloaded" + System.lineSeparator() + "done" + System.lineSeparator());
    }

    @Test
    void tty_redrawsAStatusLineInPlace() {
        String out = render(true);
        assertThat(out).contains("\r\033[K").contains("transferring 1 blob: 1.00MB / 2.00MB").contains("abc: downloaded");
    }

    @Test
    void sizesAndAges_readLikeDocker() {
        assertThat(Sizes.human(999)).isEqualTo("999B");
        assertThat(Sizes.human(4_260_000)).isEqualTo("4.26MB");
        assertThat(Sizes.human(129_000)).isEqualTo("129kB");
        Instant now = Instant.parse("2026-01-10T00:00:00Z");
        assertThat(Sizes.age("2026-01-07T00:00:00Z", now)).isEqualTo("3 days ago");
        assertThat(Sizes.age("2025-12-09T23:00:00Z", now)).isEqualTo("4 weeks ago");
        assertThat(Sizes.age(null, now)).isEqualTo("N/A");
    }
}
