package dev.kiln.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandOffOutputStreamTest {

    @Test
    void write_piecesOfEverySize_reachTheSinkInOrder_andCloseClosesIt() throws IOException {
        byte[] data = new byte[3 * (1 << 20) + 12345];
        new Random(42).nextBytes(data);
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        Random sizes = new Random(7);
        try (HandOffOutputStream out = new HandOffOutputStream(sink)) {
            int off = 0;
            while (off < data.length) {
                if (sizes.nextInt(10) == 0) {
                    out.write(data[off++]);
                    continue;
                }
                int n = Math.min(data.length - off, sizes.nextInt(700_000));
                out.write(data, off, n);
                off += n;
            }
        }
        assertThat(sink.toByteArray()).isEqualTo(data);
        assertThat(closed[0]).isTrue();
    }

    @Test
    void write_exactlyWholeChunks_allReachTheSink() throws IOException {
        byte[] data = new byte[2 * (1 << 18)]; // two chunks, nothing left for close
        new Random(3).nextBytes(data);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (HandOffOutputStream out = new HandOffOutputStream(sink)) {
            out.write(data);
        }
        assertThat(sink.toByteArray()).isEqualTo(data);
    }

    @Test
    void write_manyChunks_reusesAFewArrays_andTheBytesStayInOrder() throws IOException {
        Set<byte[]> arrays = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                arrays.add(b);
                super.write(b, off, len);
            }
        };
        byte[] data = new byte[100 * (1 << 18) + 7];
        new Random(5).nextBytes(data);
        try (HandOffOutputStream out = new HandOffOutputStream(sink)) {
            for (int off = 0; off < data.length; off += 100_000) {
                out.write(data, off, Math.min(100_000, data.length - off));
            }
        }
        assertThat(sink.toByteArray()).isEqualTo(data);
        // the chunk being handed on, the next one, four queued, the worker's, and the short last
        // one: 101 chunks in at most 8 arrays (a new array each time would make 101)
        assertThat(arrays.size()).isLessThanOrEqualTo(8);
    }

    @Test
    void write_afterClose_refused() throws IOException {
        HandOffOutputStream out = new HandOffOutputStream(new ByteArrayOutputStream());
        out.close();
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        out.close(); // a second close does nothing
    }

    @Test
    void write_sinkFails_theWriterGetsItsException() {
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        byte[] block = new byte[1 << 20];
        assertThatThrownBy(() -> {
            try (HandOffOutputStream out = new HandOffOutputStream(failing)) {
                for (int i = 0; i < 100; i++) {
                    out.write(block);
                }
            }
        }).isInstanceOf(IOException.class).hasMessage("disk full");
    }
}
