package dev.kiln.builder.cli.live;

import dev.kiln.runtime.linux.Syscalls;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The terminal the live view draws on: its size, asked again for every frame ({@code COLUMNS} and
 * {@code LINES} win, then the terminal's own size, else 80x24), and whether to use colours
 * ({@code NO_COLOR} and {@code TERM=dumb} turn them off).
 */
public record Terminal(IntSupplier columns, IntSupplier rows, boolean color) {
    private static final int STDERR = 2;

    /** The terminal on stderr, as {@code env} describes it. */
    public static Terminal stderr(Map<String, String> env) {
        boolean color = !env.containsKey("NO_COLOR") || env.get("NO_COLOR").isEmpty();
        return new Terminal(() -> size(env, "COLUMNS", 1, 80), () -> size(env, "LINES", 0, 24),
                color && !"dumb".equals(env.get("TERM")));
    }

    /** Whether {@code --progress auto} shows the live view: stderr is a terminal that can move its cursor. */
    public static boolean isLive(Map<String, String> env) {
        return !"dumb".equals(env.get("TERM")) && stderrIsTerminal();
    }

    private static boolean stderrIsTerminal() {
        try {
            return Syscalls.isatty(STDERR);
        } catch (LinkageError e) { // no libc to ask (not Linux): the JVM knows about stdin and stdout
            return System.console() != null;
        }
    }

    private static int size(Map<String, String> env, String variable, int index, int fallback) {
        String v = env.get(variable);
        if (v != null) {
            try {
                int n = Integer.parseInt(v.strip());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // not a number: ask the terminal
            }
        }
        try {
            int[] size = Syscalls.windowSize(STDERR);
            if (size != null && size[index] > 0) {
                return size[index];
            }
        } catch (LinkageError e) {
            // no libc to ask
        }
        return fallback;
    }
}
