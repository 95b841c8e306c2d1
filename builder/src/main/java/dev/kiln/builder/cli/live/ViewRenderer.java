package dev.kiln.builder.cli.live;

import dev.kiln.builder.cli.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@link BuildView} at a moment into the lines of one frame, as BuildKit's tty mode draws
 * them: a header ({@code [+] Building 12.3s (5/7)}), a line per started step with its time at the
 * right edge, under a running step its downloads and its last output lines, and once the build
 * failed the failed step's kept output. Every line fits in {@code width - 1} columns (the last
 * column stays empty so no terminal wraps). A frame taller than {@code height} leaves out the
 * oldest finished steps; the final frame leaves out nothing. Pure: same input, same lines.
 */
final class ViewRenderer {
    /** Output lines shown under a running step. */
    static final int LOG_LINES = 6;

    private static final String BLUE = "\u001B[34m";
    private static final String RED = "\u001B[31m";
    private static final String YELLOW = "\u001B[33m";
    private static final String RESET = "\u001B[0m";

    private ViewRenderer() {}

    static List<String> render(BuildView view, long now, int width, int height, boolean color) {
        int room = Math.max(1, width - 1);
        boolean last = view.finished();
        long end = last ? view.ended() : now;
        String header = String.format(Locale.ROOT, "[+] Building %s (%d/%d)%s", seconds(end - view.started()),
                view.doneSteps(), view.totalSteps(), last && view.succeeded() ? " FINISHED" : "");
        List<List<String>> blocks = new ArrayList<>();
        List<Boolean> finished = new ArrayList<>();
        for (BuildView.Step s : view.steps()) {
            blocks.add(block(view, s, now, room, color));
            finished.add(s.finished());
        }
        List<String> lines = new ArrayList<>();
        lines.add(cut(header, room));
        if (last) {
            blocks.forEach(lines::addAll);
            for (BuildView.Step s : view.steps()) {
                if (s.state == BuildView.State.ERROR && !s.tail.isEmpty()) {
                    lines.add("------");
                    lines.add(cut(" > " + name(view, s) + " " + s.text + ":", room));
                    s.tail.forEach(l -> lines.add(cut(l, room)));
                    lines.add("------");
                }
            }
            return lines;
        }
        int count = 1 + blocks.stream().mapToInt(List::size).sum();
        for (int i = 0; i < blocks.size() && count > height; i++) {
            if (finished.get(i)) {
                count -= blocks.get(i).size();
                blocks.set(i, List.of());
            }
        }
        List<String> body = new ArrayList<>();
        blocks.forEach(body::addAll);
        int keep = Math.max(0, height - 1);
        lines.addAll(body.size() > keep ? body.subList(body.size() - keep, body.size()) : body);
        return lines;
    }

    /** A step's main line, then its notes and downloads, then (while it runs) its last output lines. */
    private static List<String> block(BuildView view, BuildView.Step s, long now, int room, boolean color) {
        String prefix = switch (s.state) {
            case CACHED -> "CACHED ";
            case ERROR -> "ERROR ";
            case CANCELED -> "CANCELED ";
            default -> "";
        };
        String paint = !color ? null : switch (s.state) {
            case RUNNING -> BLUE;
            case ERROR -> RED;
            case CANCELED -> YELLOW;
            default -> null;
        };
        long elapsed = s.state == BuildView.State.CACHED ? 0 : (s.finished() ? s.ended : now) - s.started;
        List<String> lines = new ArrayList<>();
        lines.add(paint(fit(" => " + prefix + name(view, s) + " " + s.text, seconds(elapsed), room), paint));
        for (String note : s.notes) {
            lines.add(paint(cut(" => => " + note, room), paint));
        }
        for (BuildView.Transfer t : s.transfers.values()) {
            String size = t.total >= 0 ? Sizes.human(t.done) + " / " + Sizes.human(t.total) : Sizes.human(t.done);
            lines.add(paint(fit(" => => sha256:" + t.id + " " + size, seconds((t.ended >= 0 ? t.ended : now) - t.started),
                    room), paint));
        }
        if (!s.finished()) {
            List<String> tail = new ArrayList<>(s.tail);
            for (String l : tail.subList(Math.max(0, tail.size() - LOG_LINES), tail.size())) {
                lines.add(cut(" => => # " + l, room));
            }
        }
        return lines;
    }

    /** {@code [2/7]}, or {@code [builder 2/7]} when the build has several stages (BuildKit's names). */
    private static String name(BuildView view, BuildView.Step s) {
        String stage = !view.multiStage() ? "" : (s.stage.startsWith("#") ? "stage-" + s.stage.substring(1) : s.stage) + " ";
        return "[" + stage + s.number + "/" + view.total(s.stage) + "]";
    }

    /** {@code left} and {@code right} in {@code room} columns: right-aligned, {@code left} cut if needed. */
    static String fit(String left, String right, int room) {
        int space = room - right.length() - 1;
        if (space < 1) {
            return cut(left, room);
        }
        String l = cut(left, space);
        return l + " ".repeat(space - l.length() + 1) + right;
    }

    static String cut(String s, int room) {
        if (s.length() <= room) {
            return s;
        }
        int n = Character.isHighSurrogate(s.charAt(room - 1)) ? room - 1 : room;
        return s.substring(0, n);
    }

    private static String paint(String line, String color) {
        return color == null ? line : color + line + RESET;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", Math.max(0, nanos) / 1e9);
    }
}
