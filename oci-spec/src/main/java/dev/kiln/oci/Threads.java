package dev.kiln.oci;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

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

    /**
     * A factory of daemon threads named {@code name} for a pool whose end must be waited for
     * ({@link #stopAndJoin}); it keeps the threads it made.
     */
    public static Owned owned(String name) {
        return new Owned(name);
    }

    /** See {@link #owned}. */
    public static final class Owned implements ThreadFactory {
        private final String name;
        private final Set<Thread> made = ConcurrentHashMap.newKeySet();

        private Owned(String name) {
            this.name = name;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            made.add(t);
            return t;
        }

        /** The threads made and still alive, for a message. */
        public List<Thread> alive() {
            return made.stream().filter(Thread::isAlive).toList();
        }
    }

    /**
     * Interrupts the tasks of {@code pool} ({@link ExecutorService#shutdownNow}), whose threads
     * {@code threads} made, and waits until those threads have ended (not only the pool's tasks:
     * a worker's thread outlives the pool's termination a little), at most {@code bound}, even
     * when the calling thread is interrupted meanwhile. So "nothing of this work runs once the
     * caller goes on" holds unless a task ignores its interrupt for that long (stuck in something
     * uninterruptible). The tasks are interrupted once only, so that one of them waiting for its
     * own workers (a bounded wait too, shorter than {@code bound}) is not cut short. The interrupt
     * is kept for the caller.
     *
     * @return whether every thread ended within {@code bound}
     */
    public static boolean stopAndJoin(ExecutorService pool, Owned threads, Duration bound) {
        pool.shutdownNow();
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            for (Thread t : threads.made) {
                long left;
                while (t.isAlive() && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return threads.alive().isEmpty();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
