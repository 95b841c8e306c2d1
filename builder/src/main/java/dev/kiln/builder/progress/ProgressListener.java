package dev.kiln.builder.progress;

/** Receives {@link ProgressEvent}s; may be called from several threads at once. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = event -> {};

    void on(ProgressEvent event);

    default void message(String text) {
        on(new ProgressEvent.Message(text));
    }
}
