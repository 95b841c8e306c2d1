package dev.kiln.builder.engine;

import dev.kiln.builder.progress.ProgressEvent;
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

    /** The step failed with {@code message}; the build stops. */
    record StepFailed(String stage, int number, String message) implements BuildEvent {}

    /** The stage's base image {@code reference} is being looked up, and pulled when missing. */
    record Resolving(String stage, String reference) implements BuildEvent {}

    /** A pull the stage needs (its base, or an image it copies from) reported progress. */
    record Transfer(String stage, ProgressEvent event) implements BuildEvent {}

    /** Information (a pull, a warning). */
    record Message(String text) implements BuildEvent {}
}
