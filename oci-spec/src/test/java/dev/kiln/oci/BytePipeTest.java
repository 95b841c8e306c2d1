package dev.kiln.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BytePipeTest {
    private static final int CHUNK = 1 << 12;

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    /** Everything left in {@code in}, read in odd-sized pieces (and one single byte first). */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int first = in.read();
        if (first < 0) {
            return got.toByteArray();
        }
        got.write(first);
        byte[] buffer = new byte[7919];
        for (int n; (n = in.read(buffer, 0, buffer.length)) > 0; ) {
            got.write(buffer, 0, n);
        }
        assertThat(in.read()).isEqualTo(-1);
        return got.toByteArray();
    }

    @Test
    void readingAhead_givesExactlyTheBytesOfTheSource_inOrder() throws IOException {
        byte[] data = random(3 * (1 << 18) + 12345);
        try (InputStream in = BytePipe.readingAhead(new ByteArrayInputStream(data), "test-ahead", 1 << 18, 4)) {
            assertThat(readAll(in)).isEqualTo(data);
        }
    }

    @Test
    void readingAhead_sourceFailure_isThrownAsItWas_afterEveryByteReadBeforeIt() throws IOException {
        byte[] before = random(600_000);
        IOException boom = new IOException("corrupt gzip");
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(before), new InputStream() {
            @Override
            public int read() throws IOException {
                throw boom;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw boom;
            }
        });
        try (InputStream in = BytePipe.readingAhead(failing, "test-ahead", 1 << 18, 4)) {
            assertThat(in.readNBytes(before.length)).isEqualTo(before);
            assertThatThrownBy(in::read).isSameAs(boom);
            assertThatThrownBy(in::read).isSameAs(boom);
        }
    }

    @Test
    void readingAhead_close_beforeTheEnd_stopsReadingTheSource() throws IOException {
        int[] reads = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                synchronized (reads) {
                    reads[0]++;
                }
                return len;
            }
        };
        InputStream in = BytePipe.readingAhead(endless, "test-ahead", 1 << 18, 4);
        in.read(new byte[10]);

        in.close(); // returns once the worker has stopped

        int after;
        synchronized (reads) {
            after = reads[0];
        }
        assertThat(after).isPositive();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
        synchronized (reads) {
            assertThat(reads[0]).isEqualTo(after);
        }
    }

    @Test
    void written_manyMoreBytesThanItsChunksHold_reachTheReaderExactly_inOrder() throws Exception {
        byte[] data = random(40 * CHUNK + 77);
        BytePipe pipe = new BytePipe(CHUNK, 3);
        Thread writer = new Thread(() -> {
            Random sizes = new Random(7);
            for (int i = 0; i < data.length; ) {
                int n = Math.min(1 + sizes.nextInt(3 * CHUNK), data.length - i);
                pipe.write(data, i, n);
                i += n;
            }
            pipe.end();
        });
        writer.start();

        assertThat(readAll(pipe)).isEqualTo(data);
        writer.join();
    }

    @Test
    void abandoned_theReaderFails_evenWithBytesQueued_andLaterWritesAreDropped() throws IOException {
        BytePipe pipe = new BytePipe(CHUNK, 4);
        assertThat(pipe.write(random(2 * CHUNK), 0, 2 * CHUNK)).isTrue();

        pipe.abandon();

        assertThatThrownBy(pipe::read).isInstanceOf(IOException.class).hasMessageContaining("abandoned");
        assertThat(pipe.write(new byte[10], 0, 10)).isFalse();
    }

    @Test
    void abandoned_releasesAWriterWaitingForRoom() throws Exception {
        BytePipe pipe = new BytePipe(CHUNK, 2);
        AtomicBoolean accepted = new AtomicBoolean(true);
        Thread writer = new Thread(() -> accepted.set(pipe.write(new byte[10 * CHUNK], 0, 10 * CHUNK)));
        writer.start();

        pipe.abandon(); // whether the writer waits already or not: its write is dropped
        writer.join();

        assertThat(accepted).isFalse();
    }

    @Test
    void closedByTheReader_theWriterIsStopped() throws Exception {
        BytePipe pipe = new BytePipe(CHUNK, 2);
        pipe.write(new byte[CHUNK], 0, CHUNK);
        assertThat(pipe.read()).isZero();

        pipe.close();

        assertThat(pipe.write(new byte[10 * CHUNK], 0, 10 * CHUNK)).isFalse();
        assertThatThrownBy(pipe::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void failed_theReaderGetsTheBytesWrittenBefore_thenTheFailure() throws IOException {
        BytePipe pipe = new BytePipe(CHUNK, 4);
        byte[] before = random(CHUNK + 5);
        pipe.write(before, 0, before.length);
        RuntimeException boom = new IllegalStateException("bad");

        pipe.fail(boom);

        assertThat(pipe.readNBytes(before.length)).isEqualTo(before);
        assertThatThrownBy(pipe::read).isSameAs(boom);
    }

    @Test
    void interruptedReader_getsInterruptedIOException_andThePipeIsAbandoned() throws Exception {
        BytePipe pipe = new BytePipe(CHUNK, 2);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                pipe.read();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        reader.start();
        reader.join();

        assertThat(thrown.get()).isInstanceOf(java.io.InterruptedIOException.class);
        assertThat(pipe.write(new byte[1], 0, 1)).isFalse();
    }
}
