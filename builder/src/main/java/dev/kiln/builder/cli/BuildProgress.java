package dev.kiln.builder.cli;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildListener;
import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.progress.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders build events as plain lines ({@code STEP 3/7: COPY app.py app.py}, {@code --> CACHED},
 * {@code --> 1.24s}), prefixed with the stage when the build has several. Quiet mode prints nothing.
 */
final class BuildProgress implements BuildListener, ProgressListener {
    private final PrintWriter out;
    private final boolean quiet;
    private final boolean multiStage;

    BuildProgress(PrintWriter out, boolean quiet, boolean multiStage) {
        this.out = out;
        this.quiet = quiet;
        this.multiStage = multiStage;
    }

    @Override
    public synchronized void on(BuildEvent event) {
        if (quiet) {
            return;
        }
        if (event instanceof BuildEvent.StepStarted s) {
            out.println(prefix(s.stage()) + "STEP " + s.number() + "/" + s.total() + ": " + s.text());
        } else if (event instanceof BuildEvent.StepCached c) {
            out.println(prefix(c.stage()) + "--> CACHED");
        } else if (event instanceof BuildEvent.StepDone d) {
            if (!d.elapsed().isZero()) {
                out.println(prefix(d.stage()) + String.format(Locale.ROOT, "--> %.2fs", d.elapsed().toNanos() / 1e9));
            }
        } else if (event instanceof BuildEvent.Output o) {
            out.println(prefix(o.stage()) + o.line());
        } else if (event instanceof BuildEvent.Message m) {
            out.println(m.text());
        } else if (event instanceof BuildEvent.Transfer t) {
            on(t.event());
            return;
        }
        out.flush();
    }

    @Override
    public synchronized void on(ProgressEvent event) {
        if (quiet) {
            return;
        }
        if (event instanceof ProgressEvent.Message m) {
            out.println(m.text());
        } else if (event instanceof ProgressEvent.Finished f) {
            out.println("  " + f.id() + ": " + f.outcome());
        } else {
            return;
        }
        out.flush();
    }

    private String prefix(String stage) {
        return multiStage ? "[" + stage + "] " : "";
    }
}
