package dev.kiln.builder.cli;

import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.progress.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders progress: on a terminal one status line redrawn in place plus a line per finished blob;
 * otherwise (CI logs, pipes) only plain lines, one per finished blob and message.
 */
final class ConsoleProgress implements ProgressListener {
    private final PrintWriter out;
    private final boolean tty;
    private final Map<String, long[]> active = new ConcurrentHashMap<>();
    private boolean statusShown;

    ConsoleProgress(PrintWriter out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    static ConsoleProgress forStderr(PrintWriter err) {
        return new ConsoleProgress(err, System.console() != null && System.getenv("TERM") != null
                && !"dumb".equals(System.getenv("TERM")));
    }

    @Override
    public synchronized void on(ProgressEvent event) {
        if (event instanceof ProgressEvent.Started s) {
            active.put(s.id(), new long[] {0, s.total()});
            if (!tty) {
                return;
            }
        } else if (event instanceof ProgressEvent.Advanced a) {
            active.put(a.id(), new long[] {a.done(), a.total()});
            if (!tty) {
                return;
            }
        } else if (event instanceof ProgressEvent.Finished f) {
            active.remove(f.id());
            line(f.id() + ": " + f.outcome());
        } else if (event instanceof ProgressEvent.Message m) {
            line(m.text());
        }
        if (tty) {
            status();
        }
    }

    private void line(String text) {
        if (tty && statusShown) {
            out.print("\r\033[K");
            statusShown = false;
        }
        out.println(text);
        out.flush();
    }

    private void status() {
        if (active.isEmpty()) {
            if (statusShown) {
                out.print("\r\033[K");
                out.flush();
                statusShown = false;
            }
            return;
        }
        long done = 0;
        long total = 0;
        for (long[] v : active.values()) {
            done += v[0];
            total += Math.max(v[1], 0);
        }
        out.print("\r\033[K" + String.format(Locale.ROOT, "transferring %d blob%s: %s / %s", active.size(),
                active.size() == 1 ? "" : "s", Sizes.human(done), Sizes.human(total)));
        out.flush();
        statusShown = true;
    }
}
