package dev.kiln.runtime;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a container's process ended: {@code exitCode} as a shell reports it (128 + N when killed by
 * signal N), the signal if any, how many times the watchdog had to clone it again, and how its
 * changes to the root filesystem were kept.
 */
public record ExecResult(int exitCode, OptionalInt signal, int watchdogRetries, RootChanges changes) {

    public ExecResult {
        Objects.requireNonNull(changes, "changes");
    }

    /** Decodes a raw {@code waitpid} status (changes: {@link RootChanges#NONE}). */
    public static ExecResult fromWaitStatus(int status, int retries) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return new ExecResult((status >> 8) & 0xff, OptionalInt.empty(), retries, RootChanges.NONE);
        }
        return new ExecResult(128 + sig, OptionalInt.of(sig), retries, RootChanges.NONE);
    }

    public ExecResult withChanges(RootChanges kept) {
        return new ExecResult(exitCode, signal, watchdogRetries, kept);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
