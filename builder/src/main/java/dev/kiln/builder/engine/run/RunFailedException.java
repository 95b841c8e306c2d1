package dev.kiln.builder.engine.run;

import dev.kiln.builder.dockerfile.SourceRange;
import dev.kiln.builder.engine.StepException;
import java.util.List;

/** A RUN exited non-zero: carries its exit code (kiln exits with it) and its last output lines. */
public final class RunFailedException extends StepException {
    private final int exitCode;
    private final List<String> lastLines;

    public RunFailedException(SourceRange range, String command, int exitCode, List<String> lastLines) {
        super(range, "RUN " + command + " failed with exit code " + exitCode
                + (lastLines.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", lastLines)), null);
        this.exitCode = exitCode;
        this.lastLines = List.copyOf(lastLines);
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> lastLines() {
        return lastLines;
    }
}
