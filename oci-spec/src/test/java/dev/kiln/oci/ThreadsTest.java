package dev.kiln.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
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
}
