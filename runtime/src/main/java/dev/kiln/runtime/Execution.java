package dev.kiln.runtime;

import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running container process (pid 1 of its pid namespace). Streams exist only for the
 * {@link Stdio#PIPE} ends of its {@link ExecSpec}.
 */
public final class Execution {
    private final int pid;
    private final int retries;
    private final CompletableFuture<ExecResult> result;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;

    Execution(int pid, int retries, CompletableFuture<ExecResult> result, OutputStream stdin,
            InputStream stdout, InputStream stderr) {
        this.pid = pid;
        this.retries = retries;
        this.result = result;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The process id as kiln sees it (not 1, which is what the process sees). */
    public int pid() {
        return pid;
    }

    /** How many times the watchdog had to clone this process again. */
    public int watchdogRetries() {
        return retries;
    }

    public OutputStream stdin() {
        return require(stdin, "stdin");
    }

    public InputStream stdout() {
        return require(stdout, "stdout");
    }

    public InputStream stderr() {
        return require(stderr, "stderr");
    }

    private static <T> T require(T stream, String name) {
        if (stream == null) {
            throw new IllegalStateException(name + " is not a pipe in this ExecSpec");
        }
        return stream;
    }

    public boolean isAlive() {
        return !result.isDone();
    }

    /** Completes when the process has ended. */
    public CompletableFuture<ExecResult> onExit() {
        return result;
    }

    public ExecResult waitFor() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SandboxException s) {
                throw s;
            }
            throw new SandboxException("lost track of container process " + pid + ": "
                    + e.getCause().getMessage(), null, null, 0, e.getCause());
        }
    }

    /** Sends {@code signal} to the container's pid 1; false if it has ended. */
    public boolean signal(int signal) {
        return isAlive() && Syscalls.kill(pid, signal);
    }

    /**
     * {@code docker stop}: SIGTERM, then SIGKILL when the process has not ended within
     * {@code timeout}. Note that pid 1 ignores signals it installed no handler for, SIGKILL aside.
     */
    public ExecResult stop(Duration timeout) throws InterruptedException {
        signal(Syscalls.SIGTERM);
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            signal(Syscalls.SIGKILL);
            return waitFor();
        } catch (ExecutionException e) {
            return waitFor();
        }
    }

    void closeStreams() {
        for (java.io.Closeable c : new java.io.Closeable[] {stdin, stdout, stderr}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }
}
