package dev.kiln.runtime;

import java.util.OptionalInt;

/**
 * How a container's process ended: {@code exitCode} as a shell reports it (128 + N when killed by
 * signal N), the signal if any, and how many times the watchdog had to clone it again.
 */
public record ExecResult(int exitCode, OptionalInt signal, int watchdogRetries) {

    /** Decodes a raw {@code waitpid} status. */
    public static ExecResult fromWaitStatus(int status, int retries) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return new ExecResult((status >> 8) & 0xff, OptionalInt.empty(), retries);
        }
        return new ExecResult(128 + sig, OptionalInt.of(sig), retries);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
