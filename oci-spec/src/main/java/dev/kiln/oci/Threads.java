package dev.kiln.oci;

import java.io.IOException;

/** Waiting for kiln's own threads. */
public final class Threads {
    private Threads() {}

    /**
     * Waits until {@code thread} has ended, even when the calling thread is interrupted meanwhile
     * (for a wait whose end the caller's promise depends on, such as "nothing is left once this
     * returns"): each interrupt runs {@code onInterrupt} (what makes {@code thread} end soon) and
     * the wait goes on; the interrupt is kept for the caller.
     *
     * @return whether the calling thread was interrupted while it waited
     */
    public static boolean joinUninterruptibly(Thread thread, Runnable onInterrupt) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                onInterrupt.run();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return interrupted;
    }

    /**
     * Another thread's failure {@code t}, to throw on this one as it was: an unchecked one is
     * thrown from here, an IOException returned ({@code throw rethrown(t)}), anything else
     * wrapped in one.
     */
    public static IOException rethrown(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t.getMessage(), t);
    }
}
