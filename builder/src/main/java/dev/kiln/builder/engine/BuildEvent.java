package dev.kiln.builder.engine;

import java.time.Duration;

/** What the build reports while it runs; the CLI renders these. */
public sealed interface BuildEvent {

    /** Step {@code number} of {@code total} of a stage began: {@code text} is the instruction as written. */
    record StepStarted(String stage, int number, int total, String text) implements BuildEvent {}

    /** The step was taken from the cache. */
    record StepCached(String stage, int number) implements BuildEvent {}

    /** The step finished after {@code elapsed}. */
    record StepDone(String stage, int number, Duration elapsed) implements BuildEvent {}

    /** A line a RUN printed. */
    record Output(String stage, int number, String line) implements BuildEvent {}

    /** Information (a pull, a warning). */
    record Message(String text) implements BuildEvent {}
}
