package dev.kiln.builder.cli.live;

import java.io.PrintWriter;
import java.util.List;

/**
 * Draws frames in place on a terminal: moves the cursor up to the first line that changed since
 * the last frame, rewrites from there, erases what the old frame had below. Lines printed
 * "above" scroll up out of the view for good. Each frame line must fit in one terminal row. The
 * cursor rests at the start of the line after the frame. One thread at a time.
 */
final class FrameWriter {
    static final String ERASE_LINE = "\u001B[2K";
    static final String ERASE_BELOW = "\u001B[J";

    private final PrintWriter out;
    private List<String> shown = List.of();

    FrameWriter(PrintWriter out) {
        this.out = out;
    }

    /** Prints {@code above} once, then {@code frame} in place of the previous frame. */
    void draw(List<String> above, List<String> frame) {
        int from = 0;
        if (above.isEmpty()) {
            while (from < shown.size() && from < frame.size() && shown.get(from).equals(frame.get(from))) {
                from++;
            }
            if (from == shown.size() && from == frame.size()) {
                return;
            }
        }
        StringBuilder sb = new StringBuilder();
        int up = shown.size() - from;
        if (up > 0) {
            sb.append("\u001B[").append(up).append('A');
        }
        sb.append('\r');
        if (!above.isEmpty()) {
            sb.append(ERASE_BELOW);
            above.forEach(l -> sb.append(l).append('\n'));
        }
        for (int i = from; i < frame.size(); i++) {
            sb.append(ERASE_LINE).append(frame.get(i)).append('\n');
        }
        if (frame.size() < shown.size()) {
            sb.append(ERASE_BELOW);
        }
        out.print(sb);
        out.flush();
        shown = List.copyOf(frame);
    }
}
