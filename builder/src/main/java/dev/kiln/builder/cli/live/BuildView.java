package dev.kiln.builder.cli.live;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.progress.ProgressEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the live view shows, updated from build events: the steps in the order they started, each
 * with its state and times, the pulls it waits for and the tail of its output. Times are
 * nanosecond readings of the caller's clock. Not thread-safe: {@link LiveProgress} guards it.
 */
final class BuildView {
    /** Output lines kept per step: shown in full under a failed step. */
    static final int TAIL_LINES = 20;

    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-_]?");
    private static final Pattern FROM_AS = Pattern.compile("(?i)(FROM\\s.*?)\\s+AS\\s+\\S+\\s*");
    private static final Pattern BREAKS = Pattern.compile("\\s*[\\\\`]?\\R\\s*");

    enum State { RUNNING, DONE, CACHED, ERROR, CANCELED }

    /** One step of one stage ({@code number} counts from 1, the FROM). */
    static final class Step {
        final String stage;
        final int number;
        String text;
        State state = State.RUNNING;
        final long started;
        long ended = -1;
        final Map<String, Transfer> transfers = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();
        final Deque<String> tail = new ArrayDeque<>();

        Step(String stage, int number, String text, long started) {
            this.stage = stage;
            this.number = number;
            this.text = text;
            this.started = started;
        }

        boolean finished() {
            return state != State.RUNNING;
        }
    }

    /** A blob being downloaded for a step; {@code total} is -1 when unknown. */
    static final class Transfer {
        final String id;
        final long started;
        long done;
        long total;
        long ended = -1;

        Transfer(String id, long total, long started) {
            this.id = id;
            this.total = total;
            this.started = started;
        }
    }

    private final long started;
    private final boolean multiStage;
    private final Map<String, Integer> totals = new LinkedHashMap<>();
    private final Map<String, String> plannedFrom = new LinkedHashMap<>();
    private final Map<String, Step> steps = new LinkedHashMap<>();
    private final Map<String, String> resolving = new LinkedHashMap<>();
    private final List<String> messages = new ArrayList<>();
    private long ended = -1;
    private boolean succeeded;

    /**
     * @param plan each stage's label and its steps' texts (FROM first), in build order; the
     *     totals the header counts before the stages start
     */
    BuildView(Map<String, List<String>> plan, long started) {
        this.started = started;
        this.multiStage = plan.size() > 1;
        plan.forEach((stage, texts) -> {
            totals.put(stage, texts.size());
            if (!texts.isEmpty()) {
                plannedFrom.put(stage, texts.get(0));
            }
        });
    }

    void on(BuildEvent event, long now) {
        if (event instanceof BuildEvent.Resolving r) {
            resolving.put(r.stage(), r.reference());
            step(r.stage(), 1, plannedFrom.getOrDefault(r.stage(), "FROM " + r.reference()), now);
        } else if (event instanceof BuildEvent.StepStarted s) {
            totals.put(s.stage(), s.total());
            step(s.stage(), s.number(), s.text(), now).text = oneLine(s.text());
        } else if (event instanceof BuildEvent.StepCached c) {
            end(step(c.stage(), c.number(), "", now), State.CACHED, now);
        } else if (event instanceof BuildEvent.StepDone d) {
            end(step(d.stage(), d.number(), "", now), State.DONE, now);
        } else if (event instanceof BuildEvent.StepFailed f) {
            end(step(f.stage(), f.number(), "", now), State.ERROR, now);
        } else if (event instanceof BuildEvent.Output o) {
            Step s = step(o.stage(), o.number(), "", now);
            if (s.tail.size() == TAIL_LINES) {
                s.tail.removeFirst();
            }
            s.tail.addLast(clean(o.line()));
        } else if (event instanceof BuildEvent.Transfer t) {
            transfer(current(t.stage(), now), t.event(), now);
        } else if (event instanceof BuildEvent.Message m) {
            // "resolving REF" follows Resolving: the FROM line shows it
            if (resolving.values().stream().noneMatch(ref -> m.text().equals("resolving " + ref))) {
                messages.add(clean(m.text()));
            }
        }
    }

    /** Progress that belongs to no stage: its messages are printed above the view. */
    void on(ProgressEvent event) {
        if (event instanceof ProgressEvent.Message m) {
            messages.add(clean(m.text()));
        }
    }

    /** The build ended: running steps are cancelled (or, on success, done). */
    void finish(boolean ok, long now) {
        ended = now;
        succeeded = ok;
        for (Step s : steps.values()) {
            if (!s.finished()) {
                end(s, ok ? State.DONE : State.CANCELED, now);
            }
        }
    }

    /** Messages that arrived since the last call, to print above the view. */
    List<String> takeMessages() {
        List<String> m = List.copyOf(messages);
        messages.clear();
        return m;
    }

    Collection<Step> steps() {
        return steps.values();
    }

    boolean multiStage() {
        return multiStage;
    }

    int total(String stage) {
        return totals.getOrDefault(stage, 0);
    }

    int totalSteps() {
        return totals.values().stream().mapToInt(Integer::intValue).sum();
    }

    long doneSteps() {
        return steps.values().stream().filter(s -> s.state == State.DONE || s.state == State.CACHED).count();
    }

    long started() {
        return started;
    }

    boolean finished() {
        return ended >= 0;
    }

    long ended() {
        return ended;
    }

    boolean succeeded() {
        return succeeded;
    }

    private Step step(String stage, int number, String text, long now) {
        return steps.computeIfAbsent(stage + "/" + number, k -> new Step(stage, number, oneLine(text), now));
    }

    /** The stage's latest running step (a pull belongs to it), else its latest step. */
    private Step current(String stage, long now) {
        Step latest = null;
        for (Step s : steps.values()) {
            if (s.stage.equals(stage) && (latest == null || !s.finished() || latest.finished())) {
                latest = s;
            }
        }
        return latest != null ? latest : step(stage, 1, plannedFrom.getOrDefault(stage, "FROM"), now);
    }

    private static void transfer(Step step, ProgressEvent event, long now) {
        if (event instanceof ProgressEvent.Started s) {
            step.transfers.put(s.id(), new Transfer(s.id(), s.total(), now));
        } else if (event instanceof ProgressEvent.Advanced a) {
            Transfer t = step.transfers.computeIfAbsent(a.id(), id -> new Transfer(id, a.total(), now));
            t.done = a.done();
            t.total = a.total();
        } else if (event instanceof ProgressEvent.Finished f) {
            Transfer t = step.transfers.get(f.id());
            if (t != null) { // a blob the store already had never started: nothing to show
                t.ended = now;
                if (t.total >= 0) {
                    t.done = t.total;
                }
            }
        } else if (event instanceof ProgressEvent.Message m) {
            step.notes.add(clean(m.text()));
        }
    }

    private static void end(Step s, State state, long now) {
        s.state = state;
        s.ended = now;
        for (Transfer t : s.transfers.values()) {
            if (t.ended < 0) {
                t.ended = now;
            }
        }
    }

    /**
     * An instruction on one line: continuation breaks and heredoc lines joined by spaces, a FROM
     * without its {@code AS name} (the stage's name is shown in front, as BuildKit does).
     */
    static String oneLine(String text) {
        String line = clean(BREAKS.matcher(text).replaceAll(" "));
        Matcher from = FROM_AS.matcher(line);
        return from.matches() ? from.group(1) : line;
    }

    /**
     * A line safe to print inside the view: terminal escapes dropped, only what follows the last
     * carriage return (a progress bar's latest state), tabs expanded, other controls removed.
     */
    static String clean(String line) {
        String s = ESCAPES.matcher(line).replaceAll("");
        String trimmed = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        int cr = trimmed.lastIndexOf('\r');
        if (cr >= 0) {
            trimmed = trimmed.substring(cr + 1);
        }
        StringBuilder sb = new StringBuilder(trimmed.length());
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '\t') {
                do {
                    sb.append(' ');
                } while (sb.length() % 8 != 0);
            } else if (c >= ' ' && c != 0x7f && !(c >= 0x80 && c < 0xa0)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
