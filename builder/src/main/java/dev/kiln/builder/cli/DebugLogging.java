package dev.kiln.builder.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code --debug}: kiln's own System.Logger messages at DEBUG and above go to stderr as
 * {@code [debug +SECONDS] LOGGER: MESSAGE}, timed from JVM start. Without it, INFO and above as
 * {@code MESSAGE} and {@code WARNING: MESSAGE}. Other libraries stay quiet.
 */
final class DebugLogging {
    /** Held so the configured logger is not collected (java.util.logging keeps loggers weakly). */
    private static Logger kiln;

    private DebugLogging() {}

    /**
     * Turns debug output on when {@code args} hold {@code --debug} (before any command runs);
     * otherwise kiln's warnings and notices go to stderr as kiln prints its own messages
     * ({@code WARNING: MESSAGE}), not in java.util.logging's two-line default format.
     */
    static void enableIfRequested(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--debug")) {
                enable();
                return;
            }
        }
        plain();
    }

    private static synchronized void plain() {
        if (kiln != null) {
            return;
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.INFO);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String prefix = r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARNING: " : "";
                return prefix + formatMessage(r) + System.lineSeparator();
            }
        });
        kiln = Logger.getLogger("dev.kiln");
        kiln.setLevel(Level.INFO);
        kiln.addHandler(handler);
        kiln.setUseParentHandlers(false);
    }

    private static synchronized void enable() {
        if (kiln != null) {
            return;
        }
        long start = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName();
                String shortName = name.substring(name.lastIndexOf('.') + 1);
                return String.format("[debug +%.3f] %s: %s%n", (r.getMillis() - start) / 1000.0, shortName,
                        formatMessage(r));
            }
        });
        kiln = Logger.getLogger("dev.kiln");
        kiln.setLevel(Level.FINE);
        kiln.addHandler(handler);
        kiln.setUseParentHandlers(false);
    }
}
