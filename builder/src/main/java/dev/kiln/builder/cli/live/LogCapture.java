package dev.kiln.builder.cli.live;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * While the live view draws, log records that would go to stderr (the root logger's console
 * handlers) go to {@code sink} as {@code LEVEL: message} instead, so they print above the view
 * rather than through a frame. {@link #close} puts the console handlers back.
 */
final class LogCapture implements AutoCloseable {
    private final Logger root = Logger.getLogger("");
    private final List<Handler> consoles;
    private final Handler capture;

    LogCapture(Consumer<String> sink) {
        consoles = Arrays.stream(root.getHandlers()).filter(h -> h instanceof ConsoleHandler).toList();
        SimpleFormatter formatter = new SimpleFormatter();
        capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    sink.accept(record.getLevel().getName() + ": " + formatter.formatMessage(record));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(consoles.stream().map(Handler::getLevel).min((a, b) -> Integer.compare(a.intValue(), b.intValue()))
                .orElse(Level.OFF));
        consoles.forEach(root::removeHandler);
        root.addHandler(capture);
    }

    @Override
    public void close() {
        root.removeHandler(capture);
        consoles.forEach(root::addHandler);
    }
}
