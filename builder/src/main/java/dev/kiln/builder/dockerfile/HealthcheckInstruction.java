package dev.kiln.builder.dockerfile;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code HEALTHCHECK NONE} ({@code test} null) or {@code HEALTHCHECK [--interval=d] [--timeout=d]
 * [--start-period=d] [--start-interval=d] [--retries=n] CMD command}. Unset options are null.
 */
public record HealthcheckInstruction(
        SourceRange range,
        String text,
        Command test,
        Duration interval,
        Duration timeout,
        Duration startPeriod,
        Duration startInterval,
        Integer retries) implements Instruction {

    /** True for {@code HEALTHCHECK NONE}, which disables any inherited check. */
    public boolean disabled() {
        return test == null;
    }

    public Optional<Command> testCommand() {
        return Optional.ofNullable(test);
    }
}
