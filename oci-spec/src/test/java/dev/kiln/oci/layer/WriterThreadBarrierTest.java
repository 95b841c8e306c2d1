package dev.kiln.oci.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The second thread writing regular files ({@link FileWriterThread}) held back as far as it can
 * be: each file it writes waits until the extracting thread stops to wait for it (at a barrier,
 * or at the end), so the extracting thread meets every later entry with the queued files not yet
 * there. A missing barrier then shows: the later entry is made first, and the file is written
 * over it, through it, or fails. Each layer here ends as it does on one thread.
 */
class WriterThreadBarrierTest {
    @TempDir
    Path parent;

    Path root;
    Path outsideDir;
    Thread extracting;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(parent.resolve("root"));
        outsideDir = Files.createDirectory(parent.resolve("outside"));
        extracting = Thread.currentThread();
    }

    @AfterEach
    void noWriterLeft() {
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("kiln-layer-write"));
        Thread.interrupted();
    }

    /** java.nio's writes, each file held until the extracting thread waits; names with "fail" cannot be made, "nomode" takes no mode. */
    final class HeldWrites implements FileWrites {
        final List<String> createdOnWriter = new ArrayList<>();
        boolean interruptWhenReleased;

        @Override
        public Handle create(Path path) throws IOException {
            if (Thread.currentThread() != extracting) {
                while (extracting.getState() == Thread.State.RUNNABLE || extracting.getState() == Thread.State.NEW) {
                    Thread.onSpinWait();
                }
                if (interruptWhenReleased) {
                    extracting.interrupt();
                }
                synchronized (createdOnWriter) {
                    createdOnWriter.add(root.relativize(path).toString());
                }
            }
            if (path.getFileName().toString().contains("fail")) {
                throw new IOException(path.getFileName() + ": no space left on device (test)");
            }
            Handle file = FileWrites.JAVA.create(path);
            if (!path.getFileName().toString().contains("nomode")) {
                return file;
            }
            return new Handle() {
                @Override
                public Path path() {
                    return file.path();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    file.write(b, off, len);
                }

                @Override
                public void chown(int uid, int gid) throws IOException {
                    file.chown(uid, gid);
                }

                @Override
                public void setMode(int mode) {
                    throw new UnsupportedOperationException("no modes here (test)");
                }

                @Override
                public void setTimes(Instant mtime) throws IOException {
                    file.setTimes(mtime);
                }

                @Override
                public void close() throws IOException {
                    file.close();
                }
            };
        }
    }

    private final HeldWrites held = new HeldWrites();

    private ExtractResult extract(TarBuilder tar) throws IOException {
        return extract(tar, EntryListener.NONE);
    }

    private ExtractResult extract(TarBuilder tar, EntryListener listener) throws IOException {
        LayerExtractor.Options options = LayerExtractor.Options.defaults().withFileWrites(held).withWriterThread(0);
        return new LayerExtractor(options).extract(tar.stream(), root, listener);
    }

    private void assertOutsideUntouched() throws IOException {
        try (Stream<Path> list = Files.list(outsideDir)) {
            assertThat(list).isEmpty();
        }
    }

    @Test
    void queuedFile_thenDirectoryOfTheSameName_theDirectoryWins() throws Exception {
        extract(new TarBuilder().file("x", "file").dir("x", 0755).file("x/inner", "i"));
        assertThat(held.createdOnWriter).contains("x");
        assertThat(Files.isDirectory(root.resolve("x"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("x/inner")).hasContent("i");
    }

    @Test
    void queuedFile_thenFifoOfTheSameName_theFifoWins() throws Exception {
        ExtractResult result = extract(new TarBuilder().file("x", "file").device("x", TarArchiveEntry.LF_FIFO, 0, 0));
        assertThat(held.createdOnWriter).contains("x");
        // java.nio makes no fifo: it is skipped, after the file it replaces was deleted
        assertThat(result.skipped()).singleElement().asString().contains("device node");
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void queuedFile_thenSymlinkOfTheSameName_theSymlinkWins() throws Exception {
        extract(new TarBuilder().file("x", "file").symlink("x", "elsewhere"));
        assertThat(held.createdOnWriter).contains("x");
        assertThat(Files.readSymbolicLink(root.resolve("x")).toString()).isEqualTo("elsewhere");
    }

    @Test
    void queuedFile_thenHardlinkToIt_linksTheFile() throws Exception {
        extract(new TarBuilder().file("a", "same").hardlink("b", "a"));
        assertThat(held.createdOnWriter).contains("a");
        assertThat(Files.getAttribute(root.resolve("b"), "unix:ino")).isEqualTo(Files.getAttribute(root.resolve("a"), "unix:ino"));
    }

    @Test
    void queuedFile_thenWhiteout_isDeleted() throws Exception {
        extract(new TarBuilder().file("keep", "k").file("gone", "g").file(".wh.gone", ""));
        assertThat(held.createdOnWriter).contains("gone");
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(root.resolve("keep")).hasContent("k");
    }

    @Test
    void queuedFileInDirectory_thenTheDirectoryReplacedByAFile_theFileWins() throws Exception {
        extract(new TarBuilder().dir("d", 0755).file("d/f", "queued").file("d", "now a file"));
        assertThat(held.createdOnWriter).contains("d/f");
        assertThat(root.resolve("d")).hasContent("now a file");
    }

    /** The attack a missing barrier opens: the queued file's directory becomes a symlink out of the root before it is written. */
    @Test
    void queuedFileInDirectory_thenTheDirectoryReplacedBySymlinkToOutside_nothingWrittenOutside() throws Exception {
        extract(new TarBuilder().dir("d", 0755).file("d/f", "queued").symlink("d", outsideDir.toString()));
        assertThat(held.createdOnWriter).contains("d/f");
        assertThat(Files.readSymbolicLink(root.resolve("d")).toString()).isEqualTo(outsideDir.toString());
        assertOutsideUntouched();
    }

    @Test
    void queuedFileInDirectory_thenTheDirectoryWhitedOut_isGone() throws Exception {
        extract(new TarBuilder().dir("d", 0755).file("d/f", "queued").file(".wh.d", "").file("after", "a"));
        assertThat(held.createdOnWriter).contains("d/f");
        assertThat(root.resolve("d")).doesNotExist();
    }

    @Test
    void queuedFile_thenEntryUnderItsName_refusedAsOnOneThread() throws Exception {
        assertThatThrownBy(() -> extract(new TarBuilder().file("f", "file").file("f/under", "u")))
                .isInstanceOf(LayerException.class).hasMessageContaining("not a directory");
        assertThat(root.resolve("f")).hasContent("file");
    }

    /** The deferred directory metadata comes after the queued files: their creation would change the directory's mtime. */
    @Test
    void queuedFilesInDirectory_directoryMetadataAppliedAfterThem() throws Exception {
        extract(new TarBuilder().dir("ro", 0555).file("ro/a", "a").file("ro/b", "b"));
        assertThat(held.createdOnWriter).contains("ro/a", "ro/b");
        assertThat(Files.getLastModifiedTime(root.resolve("ro")).toInstant()).isEqualTo(Instant.ofEpochMilli(1_000_000_000_000L));
        assertThat(LayerExtractorTest.mode(root.resolve("ro"))).isEqualTo(0555);
        Files.setAttribute(root.resolve("ro"), "unix:mode", 0755);
    }

    /** A tree from an earlier layer is extracted onto as on one thread: nothing is queued where something may be. */
    @Test
    void ontoAnEarlierLayer_filesOverExistingOnes_replaceThem() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/f"), "lower");
        Files.writeString(root.resolve("top"), "lower");
        extract(new TarBuilder().file("d/f", "upper").file("top", "upper").dir("n", 0755).file("n/g", "new"));
        assertThat(root.resolve("d/f")).hasContent("upper");
        assertThat(root.resolve("top")).hasContent("upper");
        assertThat(root.resolve("n/g")).hasContent("new");
        assertThat(held.createdOnWriter).containsExactly("n/g");
    }

    @Test
    void writerFails_theExtractionFailsWithItsError_andNothingRuns() throws Exception {
        assertThatThrownBy(() -> extract(new TarBuilder().file("a", "a").file("fail", "x").file("b", "b")))
                .isInstanceOf(IOException.class).hasMessage("fail: no space left on device (test)");
        assertThat(held.createdOnWriter).contains("fail");
    }

    /**
     * The writer's failure was an earlier entry's: one thread would have stopped there, before the
     * hostile name (the writer is still on the file before it when the hostile name is met).
     */
    @Test
    void writerFails_thenAHostileEntry_theWritersErrorIsThrown() throws Exception {
        assertThatThrownBy(() -> extract(new TarBuilder().file("a", "a").file("fail", "x").file("../escape", "e")))
                .isInstanceOf(IOException.class).hasMessage("fail: no space left on device (test)");
        assertThat(parent.resolve("escape")).doesNotExist();
    }

    @Test
    void interruptedWhileWaitingForTheWriter_stopsBothThreads() throws Exception {
        held.interruptWhenReleased = true;
        assertThatThrownBy(() -> extract(new TarBuilder().file("a", "a").symlink("l", "a").file("b", "b")))
                .isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(root.resolve("b")).doesNotExist();
    }

    @Test
    void skippedAndOwnership_recordedInTarOrder_asOnOneThread() throws Exception {
        TarBuilder tar = new TarBuilder();
        for (int i = 0; i < 5; i++) {
            tar.file("f" + i + "-nomode", "x").device("dev" + i, TarArchiveEntry.LF_CHR, 1, 3);
        }
        ExtractResult threaded = extract(tar);
        Path single = Files.createDirectory(parent.resolve("single"));
        TarBuilder again = new TarBuilder();
        for (int i = 0; i < 5; i++) {
            again.file("f" + i + "-nomode", "x").device("dev" + i, TarArchiveEntry.LF_CHR, 1, 3);
        }
        ExtractResult oneThread = new LayerExtractor(LayerExtractor.Options.defaults().withFileWrites(held))
                .extract(again.stream(), single);
        assertThat(held.createdOnWriter).hasSize(5);
        assertThat(threaded.skipped()).hasSize(10).containsExactlyElementsOf(oneThread.skipped());
        assertThat(threaded.skipped().get(0)).contains("f0-nomode");
        assertThat(threaded.ownershipFailures()).isEqualTo(oneThread.ownershipFailures());
    }

    @Test
    void listener_seesEachFilesContentInOrder() throws Exception {
        List<String> seen = new ArrayList<>();
        extract(new TarBuilder().file("a", "first").file("b", "second").symlink("l", "a").file("c", "third"), entry -> {
            if (!entry.isFile() || entry.isSymbolicLink()) {
                return null;
            }
            return new ByteArrayOutputStream() {
                @Override
                public void close() {
                }

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    super.write(b, off, len);
                    seen.add(entry.getName() + "=" + toString(StandardCharsets.UTF_8));
                    if (Thread.currentThread() != extracting) {
                        seen.add("written on another thread");
                    }
                }
            };
        });
        assertThat(seen).containsExactly("a=first", "b=second", "c=third");
        assertThat(held.createdOnWriter).contains("a", "b", "c");
    }
}
