package dev.kiln.builder.engine.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EarlyWriteBackTest {
    @Test
    void requestsWhileOneRuns_foldIntoOneMorePass_forTheLastDirAskedFor() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Path> synced = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        EarlyWriteBack writeBack = new EarlyWriteBack(dir -> {
            threads.add(Thread.currentThread().getName());
            if (synced.isEmpty()) {
                firstStarted.countDown();
                awaitQuietly(release);
            }
            synced.add(dir);
        }, EarlyWriteBackTest::onThreadOfItsOwn);

        writeBack.request(Path.of("/a"));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        writeBack.request(Path.of("/b"));
        writeBack.request(Path.of("/c"));
        release.countDown();
        writeBack.awaitIdle();

        assertThat(synced).containsExactly(Path.of("/a"), Path.of("/c"));
        assertThat(threads).containsOnly("kiln-write-back");
    }

    @Test
    void aFailedPass_isNotThrownAtTheCaller_andLaterRequestsStillRun() throws Exception {
        List<Path> synced = new CopyOnWriteArrayList<>();
        EarlyWriteBack writeBack = new EarlyWriteBack(dir -> {
            if (dir.endsWith("broken")) {
                throw new IOException("syncfs failed: EIO");
            }
            synced.add(dir);
        }, EarlyWriteBackTest::onThreadOfItsOwn);

        writeBack.request(Path.of("/broken"));
        writeBack.awaitIdle();
        writeBack.request(Path.of("/fine"));
        writeBack.awaitIdle();

        assertThat(synced).containsExactly(Path.of("/fine"));
    }

    @Test
    void anExecutorThatHasEnded_dropsTheRequest_andThrowsNothing() throws Exception {
        List<Path> synced = new CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService ended = java.util.concurrent.Executors.newSingleThreadExecutor();
        ended.shutdown();
        EarlyWriteBack writeBack = new EarlyWriteBack(synced::add, ended);

        writeBack.request(Path.of("/late"));
        writeBack.awaitIdle();

        assertThat(synced).isEmpty();
    }

    private static void onThreadOfItsOwn(Runnable task) {
        Thread t = new Thread(task, "kiln-write-back");
        t.setDaemon(true);
        t.start();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
