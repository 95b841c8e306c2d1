package dev.kiln.builder.cli.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.progress.ProgressEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frames drawn in place: only changed lines are rewritten, with cursor-up and erase-line. */
class FrameWriterTest {
    final StringWriter out = new StringWriter();
    final FrameWriter writer = new FrameWriter(new PrintWriter(out));

    String take() {
        String s = out.toString();
        out.getBuffer().setLength(0);
        return s;
    }

    @Test
    void draw_firstFrame_printsEveryLine() {
        writer.draw(List.of(), List.of("a", "b"));

        assertThat(take()).isEqualTo("\r\u001B[2Ka\n\u001B[2Kb\n");
    }

    @Test
    void draw_changedLine_movesUpToItAndRewritesFromThere() {
        writer.draw(List.of(), List.of("head", "one", "two"));
        take();

        writer.draw(List.of(), List.of("head", "one", "TWO", "three"));

        assertThat(take()).isEqualTo("\u001B[1A\r\u001B[2KTWO\n\u001B[2Kthree\n");
    }

    @Test
    void draw_sameFrame_writesNothing_andAShorterFrameErasesTheRest() {
        writer.draw(List.of(), List.of("a", "b", "c"));
        take();

        writer.draw(List.of(), List.of("a", "b", "c"));
        assertThat(take()).isEmpty();

        writer.draw(List.of(), List.of("A"));
        assertThat(take()).isEqualTo("\u001B[3A\r\u001B[2KA\n\u001B[J");
    }

    @Test
    void draw_linesAbove_arePrintedOverTheOldFrame_thenTheWholeFrameAgain() {
        writer.draw(List.of(), List.of("a", "b"));
        take();

        writer.draw(List.of("note"), List.of("a", "b"));

        assertThat(take()).isEqualTo("\u001B[2A\r\u001B[Jnote\n\u001B[2Ka\n\u001B[2Kb\n");
    }

    @Test
    void liveProgress_finish_leavesTheFinalView_thenHandsProgressOn() {
        long[] now = {0};
        List<ProgressEvent> after = new ArrayList<>();
        LiveProgress live = new LiveProgress(new PrintWriter(out), new Terminal(() -> 40, () -> 10, false),
                Map.of("#0", List.of("FROM scratch")), () -> now[0], after::add);
        live.on(new BuildEvent.StepStarted("#0", 1, 1, "FROM scratch"));
        now[0] = 300_000_000L;
        live.paint();
        assertThat(take()).contains("[+] Building 0.3s (0/1)").contains("[1/1] FROM scratch").doesNotContain("FINISHED");

        live.on(new BuildEvent.StepDone("#0", 1, Duration.ZERO));
        live.finish(true);
        live.on(new BuildEvent.StepStarted("#0", 2, 2, "CMD late"));
        live.on(new ProgressEvent.Message("pushed"));
        live.paint();

        String drawn = take();
        assertThat(drawn).contains("[+] Building 0.3s (1/1) FINISHED").doesNotContain("late");
        assertThat(after).containsExactly(new ProgressEvent.Message("pushed"));
    }
}
