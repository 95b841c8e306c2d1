package dev.kiln.builder.cli.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.progress.ProgressEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live view's model and renderer on a fake clock: every frame is exact. */
class ViewRendererTest {
    static final int WIDTH = 60;

    /** A line as the renderer lays it out in a {@value #WIDTH}-column terminal: time at the right edge. */
    static String row(String left, String time) {
        return String.format("%-" + (WIDTH - 2 - time.length()) + "s %s", left, time);
    }

    static long ms(long millis) {
        return millis * 1_000_000L;
    }

    static BuildView singleStage() {
        return new BuildView(Map.of("#0", List.of("FROM scratch", "COPY app.py /app/", "RUN make")), 0);
    }

    static List<String> frame(BuildView view, long now) {
        return ViewRenderer.render(view, now, WIDTH, 24, false);
    }

    @Test
    void render_runningStep_showsHeaderDoneStepsAndALiveTimer() {
        BuildView view = singleStage();
        view.on(new BuildEvent.StepStarted("#0", 1, 3, "FROM scratch"), ms(100));
        view.on(new BuildEvent.StepDone("#0", 1, Duration.ZERO), ms(100));
        view.on(new BuildEvent.StepStarted("#0", 2, 3, "COPY app.py /app/"), ms(200));

        assertThat(frame(view, ms(1500))).containsExactly(
                "[+] Building 1.5s (1/3)",
                row(" => [1/3] FROM scratch", "0.0s"),
                row(" => [2/3] COPY app.py /app/", "1.3s"));
        assertThat(frame(view, ms(2500)).get(2)).endsWith(" 2.3s").hasSize(WIDTH - 1);
    }

    @Test
    void render_cachedStep_saysCachedWithZeroTime() {
        BuildView view = singleStage();
        view.on(new BuildEvent.StepStarted("#0", 2, 3, "COPY app.py /app/"), 0);
        view.on(new BuildEvent.StepCached("#0", 2), ms(700));

        assertThat(frame(view, ms(900))).containsExactly(
                "[+] Building 0.9s (1/3)",
                row(" => CACHED [2/3] COPY app.py /app/", "0.0s"));
    }

    @Test
    void render_parallelStages_showsEachRunningStepWithItsStageAndTimer() {
        Map<String, List<String>> plan = new LinkedHashMap<>();
        plan.put("builder", List.of("FROM scratch AS builder", "RUN make"));
        plan.put("#1", List.of("FROM scratch", "COPY . /src"));
        BuildView view = new BuildView(plan, 0);
        view.on(new BuildEvent.StepStarted("builder", 1, 2, "FROM scratch AS builder"), 0);
        view.on(new BuildEvent.StepDone("builder", 1, Duration.ZERO), 0);
        view.on(new BuildEvent.StepStarted("builder", 2, 2, "RUN make"), ms(100));
        view.on(new BuildEvent.StepStarted("#1", 2, 2, "COPY . /src"), ms(600));

        assertThat(frame(view, ms(2100))).containsExactly(
                "[+] Building 2.1s (1/4)",
                row(" => [builder 1/2] FROM scratch", "0.0s"),
                row(" => [builder 2/2] RUN make", "2.0s"),
                row(" => [stage-1 2/2] COPY . /src", "1.5s"));
    }

    @Test
    void render_pullOfTheBase_showsTheFromStepWithPerLayerBytes() {
        BuildView view = new BuildView(Map.of("#0", List.of("FROM busybox", "RUN true")), 0);
        view.on(new BuildEvent.Resolving("#0", "busybox"), 0);
        view.on(new BuildEvent.Message("resolving busybox"), 0);
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Message("selected linux/amd64 manifest")), ms(100));
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Started("aaaaaaaaaaaa", "layer", 2_100_000)), ms(200));
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Started("bbbbbbbbbbbb", "layer", 500)), ms(200));
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Advanced("aaaaaaaaaaaa", 1_050_000, 2_100_000)), ms(400));
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Finished("bbbbbbbbbbbb", "downloaded")), ms(300));
        view.on(new BuildEvent.Transfer("#0", new ProgressEvent.Finished("cccccccccccc", "already exists")), ms(300));

        assertThat(frame(view, ms(700))).containsExactly(
                "[+] Building 0.7s (0/2)",
                row(" => [1/2] FROM busybox", "0.7s"),
                " => => selected linux/amd64 manifest",
                row(" => => sha256:aaaaaaaaaaaa 1.05MB / 2.10MB", "0.5s"),
                row(" => => sha256:bbbbbbbbbbbb 500B / 500B", "0.1s"));
        assertThat(view.takeMessages()).as("the FROM line stands for 'resolving'").isEmpty();
    }

    @Test
    void render_runOutput_showsTheLastSixLinesWhileRunning_andCollapsesWhenDone() {
        BuildView view = singleStage();
        view.on(new BuildEvent.StepStarted("#0", 3, 3, "RUN make"), 0);
        for (int i = 1; i <= 8; i++) {
            view.on(new BuildEvent.Output("#0", 3, "line " + i), ms(i * 10));
        }

        assertThat(frame(view, ms(1000))).containsExactly(
                "[+] Building 1.0s (0/3)",
                row(" => [3/3] RUN make", "1.0s"),
                " => => # line 3", " => => # line 4", " => => # line 5",
                " => => # line 6", " => => # line 7", " => => # line 8");

        view.on(new BuildEvent.StepDone("#0", 3, Duration.ofMillis(1200)), ms(1200));
        assertThat(frame(view, ms(1300))).containsExactly(
                "[+] Building 1.3s (1/3)",
                row(" => [3/3] RUN make", "1.2s"));
    }

    @Test
    void render_failedBuild_marksTheErrorAndCancelled_andKeepsTheWholeTail() {
        Map<String, List<String>> plan = new LinkedHashMap<>();
        plan.put("a", List.of("FROM scratch AS a", "RUN ./test"));
        plan.put("b", List.of("FROM scratch AS b", "RUN sleep 10"));
        BuildView view = new BuildView(plan, 0);
        view.on(new BuildEvent.StepStarted("a", 2, 2, "RUN ./test"), 0);
        view.on(new BuildEvent.StepStarted("b", 2, 2, "RUN sleep 10"), 0);
        for (int i = 1; i <= 8; i++) {
            view.on(new BuildEvent.Output("a", 2, "fail " + i), ms(100));
        }
        view.on(new BuildEvent.StepFailed("a", 2, "RUN ./test failed with exit code 1"), ms(1400));
        view.finish(false, ms(1500));

        List<String> expected = new java.util.ArrayList<>(List.of(
                "[+] Building 1.5s (0/4)",
                row(" => ERROR [a 2/2] RUN ./test", "1.4s"),
                row(" => CANCELED [b 2/2] RUN sleep 10", "1.5s"),
                "------",
                " > [a 2/2] RUN ./test:"));
        for (int i = 1; i <= 8; i++) {
            expected.add("fail " + i);
        }
        expected.add("------");
        assertThat(ViewRenderer.render(view, ms(9999), WIDTH, 24, false)).containsExactlyElementsOf(expected);
    }

    @Test
    void render_success_saysFinished_andShowsEveryStepWithItsTime() {
        BuildView view = singleStage();
        int n = 1;
        for (String text : List.of("FROM scratch", "COPY app.py /app/", "RUN make")) {
            view.on(new BuildEvent.StepStarted("#0", n, 3, text), ms(n * 1000));
            view.on(new BuildEvent.StepDone("#0", n, Duration.ZERO), ms(n * 1000 + 250));
            n++;
        }
        view.finish(true, ms(3500));

        assertThat(ViewRenderer.render(view, ms(9999), WIDTH, 2, false)).as("the final frame is never cut").containsExactly(
                "[+] Building 3.5s (3/3) FINISHED",
                row(" => [1/3] FROM scratch", "0.3s"),
                row(" => [2/3] COPY app.py /app/", "0.3s"),
                row(" => [3/3] RUN make", "0.3s"));
    }

    @Test
    void render_narrowTerminal_cutsTheTextAndKeepsTheTimeAtTheEdge() {
        BuildView view = singleStage();
        view.on(new BuildEvent.StepStarted("#0", 2, 3, "COPY app.py requirements.txt setup.cfg /app/"), 0);
        view.on(new BuildEvent.Output("#0", 2, "a very long line of output that cannot fit"), 0);

        List<String> lines = ViewRenderer.render(view, ms(1200), 20, 24, false);

        assertThat(lines).containsExactly(
                "[+] Building 1.2s (",
                " => [2/3] COPY 1.2s",
                " => => # a very lon");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(20));
    }

    @Test
    void render_tallerThanTheTerminal_leavesOutTheOldestFinishedSteps() {
        BuildView view = new BuildView(Map.of("#0", List.of("FROM scratch", "ENV A=1", "ENV B=2", "ENV C=3", "RUN x")), 0);
        int n = 1;
        for (String text : List.of("FROM scratch", "ENV A=1", "ENV B=2", "ENV C=3")) {
            view.on(new BuildEvent.StepStarted("#0", n, 5, text), 0);
            view.on(new BuildEvent.StepDone("#0", n++, Duration.ZERO), 0);
        }
        view.on(new BuildEvent.StepStarted("#0", 5, 5, "RUN x"), 0);

        List<String> lines = ViewRenderer.render(view, ms(100), WIDTH, 4, false);

        assertThat(lines).containsExactly(
                "[+] Building 0.1s (4/5)",
                row(" => [3/5] ENV B=2", "0.0s"),
                row(" => [4/5] ENV C=3", "0.0s"),
                row(" => [5/5] RUN x", "0.1s"));
    }

    @Test
    void render_colour_paintsRunningBlueAndErrorsRed_andNoColourPaintsNothing() {
        BuildView view = singleStage();
        view.on(new BuildEvent.StepStarted("#0", 2, 3, "COPY app.py /app/"), 0);

        assertThat(ViewRenderer.render(view, ms(100), WIDTH, 24, true).get(1))
                .startsWith("\u001B[34m => [2/3] COPY").endsWith("0.1s\u001B[0m");
        view.on(new BuildEvent.StepFailed("#0", 2, "no such file"), ms(200));
        assertThat(ViewRenderer.render(view, ms(300), WIDTH, 24, true).get(1)).startsWith("\u001B[31m => ERROR [2/3]");
        assertThat(ViewRenderer.render(view, ms(300), WIDTH, 24, false)).noneMatch(l -> l.contains("\u001B"));

        assertThat(Terminal.stderr(Map.of("NO_COLOR", "1", "TERM", "xterm")).color()).isFalse();
        assertThat(Terminal.stderr(Map.of("TERM", "dumb")).color()).isFalse();
        assertThat(Terminal.stderr(Map.of("TERM", "xterm")).color()).isTrue();
        assertThat(Terminal.isLive(Map.of("TERM", "dumb"))).isFalse();
    }

    @Test
    void terminal_sizeFromColumnsAndLines() {
        Terminal t = Terminal.stderr(Map.of("COLUMNS", "132", "LINES", "50"));

        assertThat(t.columns().getAsInt()).isEqualTo(132);
        assertThat(t.rows().getAsInt()).isEqualTo(50);
    }

    @Test
    void messages_otherThanResolving_arePrintedAboveTheView() {
        BuildView view = singleStage();
        view.on(new BuildEvent.Message("mirror 127.0.0.1:5000 failed; trying docker.io"), 0);
        view.on(new ProgressEvent.Message("pushed x"));

        assertThat(view.takeMessages()).containsExactly("mirror 127.0.0.1:5000 failed; trying docker.io", "pushed x");
        assertThat(view.takeMessages()).isEmpty();
    }

    @Test
    void clean_dropsEscapesAndControls_keepsTheLastCarriageReturnState_expandsTabs() {
        assertThat(BuildView.clean("\u001B[31mred\u001B[0m")).isEqualTo("red");
        assertThat(BuildView.clean(" 10%\r 50%\r100%\r")).isEqualTo("100%");
        assertThat(BuildView.clean("a\tb\u0007")).isEqualTo("a       b");
        assertThat(BuildView.oneLine("RUN apt-get update && \\\n    apt-get install -y x")).isEqualTo(
                "RUN apt-get update && apt-get install -y x");
    }
}
