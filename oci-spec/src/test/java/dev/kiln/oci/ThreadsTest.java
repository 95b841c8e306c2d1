package dev.kiln.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadsTest {
    @Test
    void joinUninterruptibly_interruptedCaller_runsOnInterrupt_waitsForTheEnd_andKeepsTheInterrupt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try {
                release.await(); // ends only once the caller's interrupt released it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        AtomicBoolean reported = new AtomicBoolean();
        AtomicBoolean workerAlive = new AtomicBoolean(true);
        AtomicBoolean keptInterrupt = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            Thread.currentThread().interrupt();
            reported.set(Threads.joinUninterruptibly(worker, release::countDown));
            workerAlive.set(worker.isAlive());
            keptInterrupt.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        caller.join();

        assertThat(reported).isTrue();
        assertThat(workerAlive).isFalse();
        assertThat(keptInterrupt).isTrue();
    }

    @Test
    void joinUninterruptibly_notInterrupted_waitsAndSaysSo() throws Exception {
        Thread worker = new Thread(() -> {});
        worker.start();

        assertThat(Threads.joinUninterruptibly(worker, () -> {
            throw new AssertionError("no interrupt came");
        })).isFalse();
        assertThat(worker.isAlive()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void stopAndJoin_interruptedCaller_interruptsTheTasks_waitsForTheirThreadsEnd_andKeepsTheInterrupt()
            throws Exception {
        Threads.Owned threads = Threads.owned("test-pool");
        ExecutorService pool = Executors.newFixedThreadPool(2, threads);
        CountDownLatch started = new CountDownLatch(2);
        AtomicBoolean cleanedUp = new AtomicBoolean();
        for (int i = 0; i < 2; i++) {
            pool.submit(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    cleanedUp.set(true); // what a task does once interrupted, before it ends
                }
            });
        }
        started.await();
        AtomicBoolean ended = new AtomicBoolean();
        AtomicBoolean terminated = new AtomicBoolean();
        AtomicBoolean keptInterrupt = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            Thread.currentThread().interrupt();
            ended.set(Threads.stopAndJoin(pool, threads, Duration.ofMinutes(5)));
            terminated.set(pool.isTerminated() && threads.alive().isEmpty());
            keptInterrupt.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        caller.join();

        assertThat(ended).isTrue();
        assertThat(terminated).as("no task runs once it returned").isTrue();
        assertThat(cleanedUp).isTrue();
        assertThat(keptInterrupt).isTrue();
    }

    @Test
    void stopAndJoin_aTaskThatIgnoresItsInterrupt_isWaitedForOnlyUpToTheBound() throws Exception {
        Threads.Owned threads = Threads.owned("test-pool");
        ExecutorService pool = Executors.newSingleThreadExecutor(threads);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.submit(() -> {
            started.countDown();
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // as a thread stuck in something uninterruptible
                }
            }
        });
        started.await();

        assertThat(Threads.stopAndJoin(pool, threads, Duration.ofMillis(50))).isFalse();
        assertThat(threads.alive()).hasSize(1);
        release.countDown();
        assertThat(Threads.stopAndJoin(pool, threads, Duration.ofMinutes(5))).isTrue();
        assertThat(threads.alive()).isEmpty();
    }
}
