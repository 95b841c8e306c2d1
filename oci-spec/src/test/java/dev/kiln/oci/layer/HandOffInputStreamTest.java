package dev.kiln.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandOffInputStreamTest {
    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void read_givesExactlyTheBytesOfTheSource_inOrder() throws IOException {
        byte[] data = random(3 * (1 << 18) + 12345);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = new HandOffInputStream(new ByteArrayInputStream(data))) {
            byte[] buffer = new byte[7919];
            got.write(in.read());
            for (int n; (n = in.read(buffer, 0, buffer.length)) > 0; ) {
                got.write(buffer, 0, n);
            }
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    @Test
    void sourceFailure_isThrownAsItWas_afterEveryByteReadBeforeIt() throws IOException {
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
        try (InputStream in = new HandOffInputStream(failing)) {
            assertThat(in.readNBytes(before.length)).isEqualTo(before);
            assertThatThrownBy(in::read).isSameAs(boom);
        }
    }

    @Test
    void close_beforeTheEnd_stopsReadingTheSource() throws IOException {
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
        InputStream in = new HandOffInputStream(endless);
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
}
