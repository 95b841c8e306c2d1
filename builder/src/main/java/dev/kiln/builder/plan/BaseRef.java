package dev.kiln.builder.plan;

/** What a stage starts from. */
public sealed interface BaseRef {

    /** An image to pull, after ARG expansion, e.g. {@code python:3.9-slim}. */
    record Image(String reference) implements BaseRef {}

    /** The empty filesystem. */
    record Scratch() implements BaseRef {}

    /** The result of an earlier stage. */
    record StageRef(int index, String name) implements BaseRef {}

    /** How an outline shows it. */
    default String describe() {
        if (this instanceof Image i) {
            return i.reference();
        }
        if (this instanceof StageRef s) {
            return "stage " + (s.name() != null ? s.name() : "#" + s.index());
        }
        return "scratch";
    }
}
