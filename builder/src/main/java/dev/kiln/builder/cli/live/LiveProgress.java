package dev.kiln.builder.cli.live;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuildListener;
import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.progress.ProgressListener;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live view of a build on a terminal. Build threads only update the model; one painter thread
 * draws a frame at most every {@value #FRAME_MILLIS} ms, and nothing else prints while it runs.
 * {@link #finish} draws the final complete view; progress arriving afterwards (a push) goes to
 * the listener given for that.
 */
public final class LiveProgress implements BuildListener, ProgressListener {
    static final long FRAME_MILLIS = 100;

    private final BuildView view;
    private final FrameWriter writer;
    private final Terminal terminal;
    private final LongSupplier clock;
    private final ProgressListener after;
    private final Thread painter;
    private LogCapture logs;
    private volatile boolean finished;

    LiveProgress(PrintWriter out, Terminal terminal, Map<String, List<String>> plan, LongSupplier clock,
            ProgressListener after) {
        this.view = new BuildView(plan, clock.getAsLong());
        this.writer = new FrameWriter(out);
        this.terminal = terminal;
        this.clock = clock;
        this.after = after;
        this.painter = new Thread(this::paintLoop, "kiln-progress");
        painter.setDaemon(true);
    }

    /**
     * Starts drawing on {@code out}.
     *
     * @param plan each stage's label and its steps' texts (FROM first), in build order
     * @param after renders progress reported after {@link #finish}
     */
    public static LiveProgress start(PrintWriter out, Terminal terminal, Map<String, List<String>> plan,
            ProgressListener after) {
        LiveProgress p = new LiveProgress(out, terminal, plan, System::nanoTime, after);
        p.logs = new LogCapture(p::message);
        p.painter.start();
        return p;
    }

    @Override
    public void on(BuildEvent event) {
        synchronized (view) {
            if (!view.finished()) {
                view.on(event, clock.getAsLong());
            }
        }
    }

    @Override
    public void on(ProgressEvent event) {
        if (finished) {
            after.on(event);
            return;
        }
        synchronized (view) {
            view.on(event);
        }
    }

    /** Stops the painter and leaves the complete view of the build on the terminal. */
    public void finish(boolean succeeded) {
        if (finished) {
            return;
        }
        finished = true;
        painter.interrupt();
        boolean interrupted = false;
        while (painter.isAlive()) {
            try {
                painter.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        synchronized (view) {
            view.finish(succeeded, clock.getAsLong());
        }
        paint();
        if (logs != null) {
            logs.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Draws the view as it is now. */
    void paint() {
        List<String> above;
        List<String> frame;
        synchronized (view) {
            above = view.takeMessages();
            frame = ViewRenderer.render(view, clock.getAsLong(), terminal.columns().getAsInt(),
                    terminal.rows().getAsInt(), terminal.color());
        }
        writer.draw(above, frame);
    }

    private void paintLoop() {
        try {
            while (!finished) {
                paint();
                Thread.sleep(FRAME_MILLIS);
            }
        } catch (InterruptedException e) {
            // finish() takes over
        }
    }
}
