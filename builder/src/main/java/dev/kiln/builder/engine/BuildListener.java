package dev.kiln.builder.engine;

/** Receives {@link BuildEvent}s; may be called from several stage threads at once. */
@FunctionalInterface
public interface BuildListener {
    BuildListener NONE = e -> {};

    void on(BuildEvent event);
}
