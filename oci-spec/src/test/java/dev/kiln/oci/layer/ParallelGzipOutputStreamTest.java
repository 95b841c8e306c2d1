package dev.kiln.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {
    private static final int B = ParallelGzipOutputStream.BLOCK;

    /** Text-like bytes (compressible, with matches reaching across block boundaries) mixed with noise. */
    private static byte[] sample(int size, long seed) {
        Random random = new Random(seed);
        byte[] words = "layer tar header usr/lib/python3 site-packages __init__.py \n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : words[(i / 3 + random.nextInt(2)) % words.length];
        }
        return out;
    }

    private static byte[] gzip(byte[] input, int threads, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new ParallelGzipOutputStream(out, Deflater.DEFAULT_COMPRESSION, threads)) {
            for (int off = 0; off < input.length; off += chunk) {
                gz.write(input, off, Math.min(chunk, input.length - off));
            }
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, B - 1, B, B + 1, 5 * B + 17})
    void roundTrips_atEveryBlockBoundary(int size) throws IOException {
        byte[] input = sample(size, size);
        assertThat(gunzip(gzip(input, 3, 1000))).isEqualTo(input);
        assertThat(gunzip(gzip(input, 1, 7))).isEqualTo(input);
    }

    @Test
    void output_dependsOnlyOnTheInput_notOnThreadsOrWriteSizes() throws IOException {
        byte[] input = sample(9 * B + 5, 7);
        byte[] one = gzip(input, 1, B);
        assertThat(gzip(input, 2, 4096)).isEqualTo(one);
        assertThat(gzip(input, 4, 1)).isEqualTo(one);
        assertThat(gzip(input, 8, 3 * B)).isEqualTo(one);
    }

    @Test
    void blocksFilledAgain_afterTheirDeflateIsDone_sameBytesAsOneThread() throws IOException {
        // many more blocks than are in flight (2 threads: 4), with runs of equal blocks between
        // distinct ones, so blocks written out are filled again while others are deflated or are
        // the block the next one is compared with
        byte[] input = sample(30 * B + 9, 13);
        Arrays.fill(input, 10 * B, 14 * B, (byte) 0);
        System.arraycopy(input, 20 * B, input, 21 * B, B);
        byte[] one = gzip(input, 1, B);
        assertThat(gzip(input, 2, 5000)).isEqualTo(one);
        assertThat(gzip(input, 3, B + 1)).isEqualTo(one);
        assertThat(gunzip(one)).isEqualTo(input);
    }

    @Test
    void ratio_staysThatOfOneStream() throws IOException {
        byte[] input = sample(4 << 20, 11);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(plain)) {
            gz.write(input);
        }
        int parallel = gzip(input, 2, 1 << 16).length;
        // the dictionary keeps the window across blocks; only the sync markers (5 bytes a block) add
        assertThat((double) parallel).isLessThan(plain.size() * 1.01);
    }

    @Test
    void gnuGzip_acceptsItAndGetsTheSameBytes(@TempDir Path dir) throws Exception {
        assumeTrue(new File("/usr/bin/gzip").canExecute() || new File("/bin/gzip").canExecute(),
                "GNU gzip is not installed (scripts/test.sh installs it)");
        byte[] input = sample(3 * B + 99, 3);
        Path gz = dir.resolve("x.gz");
        Files.write(gz, gzip(input, 2, 5000));
        Process p = new ProcessBuilder("gzip", "-dc", gz.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(out).isEqualTo(input);
    }

    @Test
    void runsOfEqualBlocks_sameBytesAsDeflatingEveryBlock() throws IOException {
        // zeros, a block of one other byte, zeros again, a little noise, zeros to a block boundary
        byte[] input = new byte[12 * B];
        Arrays.fill(input, 3 * B, 4 * B, (byte) 'x');
        System.arraycopy(sample(1000, 1), 0, input, 7 * B + 5, 1000);
        byte[] expected = blockByBlock(input);
        assertThat(gzip(input, 1, 4096)).isEqualTo(expected);
        assertThat(gzip(input, 3, B)).isEqualTo(expected);
        assertThat(gunzip(expected)).isEqualTo(input);
        byte[] tail = Arrays.copyOf(input, 12 * B + 77);
        assertThat(gzip(tail, 2, 1 << 16)).isEqualTo(blockByBlock(tail));
    }

    @Test
    void incompressibleBlocks_areStored_andReadBackExactly() throws IOException {
        // random bytes (as an already compressed file in a layer) between compressible text
        byte[] input = sample(9 * B + 333, 5);
        byte[] noise = new byte[3 * B];
        new Random(6).nextBytes(noise);
        System.arraycopy(noise, 0, input, 2 * B, noise.length);
        byte[] randomBlock = Arrays.copyOfRange(input, 3 * B, 4 * B);
        assertThat(ParallelGzipOutputStream.levelFor(randomBlock, Deflater.DEFAULT_COMPRESSION))
                .isEqualTo(Deflater.NO_COMPRESSION);
        byte[] expected = blockByBlock(input);
        assertThat(gzip(input, 1, 4096)).isEqualTo(expected);
        assertThat(gzip(input, 2, B)).isEqualTo(expected);
        assertThat(gunzip(expected)).isEqualTo(input);
        // stored random blocks are no bigger than level 6 makes them, within the 5 bytes per 64 KiB
        // stored blocks cost
        byte[] level6 = ParallelGzipOutputStream.deflate(randomBlock, null, false, Deflater.DEFAULT_COMPRESSION);
        byte[] stored = ParallelGzipOutputStream.deflate(randomBlock, null, false, Deflater.NO_COMPRESSION);
        assertThat(stored.length).isLessThanOrEqualTo(level6.length + 16);
    }

    @Test
    void levelFor_keepsTheLevel_whenAnySampleCompresses() {
        byte[] random = new byte[B];
        new Random(7).nextBytes(random);
        assertThat(ParallelGzipOutputStream.levelFor(random, 6)).isEqualTo(Deflater.NO_COMPRESSION);
        byte[] oneTextSample = random.clone();
        System.arraycopy(sample(ParallelGzipOutputStream.SAMPLE, 8), 0, oneTextSample, 3 * (B / 4),
                ParallelGzipOutputStream.SAMPLE);
        assertThat(ParallelGzipOutputStream.levelFor(oneTextSample, 6)).isEqualTo(6);
        assertThat(ParallelGzipOutputStream.levelFor(sample(B, 9), 6)).isEqualTo(6);
        assertThat(ParallelGzipOutputStream.levelFor(new byte[B], 6)).isEqualTo(6);
        byte[] short_ = Arrays.copyOf(random, 4 * ParallelGzipOutputStream.SAMPLE - 1);
        assertThat(ParallelGzipOutputStream.levelFor(short_, 6)).isEqualTo(6);
    }

    /** The stream as its definition has it: every block deflated on its own after the previous block's window. */
    private static byte[] blockByBlock(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        byte[] dict = null;
        int off = 0;
        for (; off + B <= input.length; off += B) {
            byte[] block = Arrays.copyOfRange(input, off, off + B);
            out.writeBytes(ParallelGzipOutputStream.deflate(block, dict, false,
                    ParallelGzipOutputStream.levelFor(block, Deflater.DEFAULT_COMPRESSION)));
            dict = Arrays.copyOfRange(input, off + B - 32 * 1024, off + B);
        }
        byte[] rest = Arrays.copyOfRange(input, off, input.length);
        out.writeBytes(ParallelGzipOutputStream.deflate(rest, dict, true,
                ParallelGzipOutputStream.levelFor(rest, Deflater.DEFAULT_COMPRESSION)));
        CRC32 crc = new CRC32();
        crc.update(input);
        ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).putInt(input.length);
        out.writeBytes(trailer.array());
        return out.toByteArray();
    }
}
