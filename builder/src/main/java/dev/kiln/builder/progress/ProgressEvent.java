package dev.kiln.builder.progress;

/** Something worth showing while images move. {@code id} is a short, stable name (a short digest). */
public sealed interface ProgressEvent {

    /** Work on an item began; {@code total} is its size in bytes, or -1 if unknown. */
    record Started(String id, String description, long total) implements ProgressEvent {}

    /** {@code done} of {@code total} bytes are through. */
    record Advanced(String id, long done, long total) implements ProgressEvent {}

    /** The item is finished; {@code outcome} says how ("downloaded", "already exists", "mounted", ...). */
    record Finished(String id, String outcome) implements ProgressEvent {}

    /** A line of information for the user. */
    record Message(String text) implements ProgressEvent {}
}
