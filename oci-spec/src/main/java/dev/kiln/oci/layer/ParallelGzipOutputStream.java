package dev.kiln.oci.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip compressed in blocks on several cores, as pigz does: the input is cut into blocks of
 * {@value #BLOCK} bytes, each block is deflated on its own (primed with the 32 KiB of input before
 * it as the dictionary, so the ratio stays that of one stream) and ends with a sync flush; the last
 * block ends the deflate stream. The blocks' outputs are written in order behind one gzip header
 * (no name, mtime 0, OS unknown) and before the CRC-32 and length of the whole input.
 *
 * <p>The output is one valid gzip member that any gunzip reads, and it depends only on the input
 * and the level — not on the number of threads or their timing — so layers stay reproducible
 * across machines. With one thread the blocks are deflated on the caller's thread. A block that
 * does not compress (random or already compressed bytes) is stored, not deflated ({@link #levelFor}).
 */
final class ParallelGzipOutputStream extends BlockOutputStream {
    /** pigz's default block size. */
    static final int BLOCK = 128 * 1024;
    private static final int WINDOW = 32 * 1024;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    /** A block handed on, with its dictionary (null for the first) and its deflated form. */
    private record InFlight(byte[] block, byte[] dict, Future<byte[]> output) {
    }

    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /**
     * Whole blocks and whole dictionaries written out and no longer read (their deflate task is
     * done and they are not {@link #repeated}, {@link #repeatedDict} or {@link #dictionary}), to be
     * filled again by {@link #nextBlock} and {@link #tailOf}: a 200 MB layer no longer makes 250 MB
     * of them. With one thread each is still {@link #repeated} or {@link #repeatedDict} when
     * written, so none come back.
     */
    private final Deque<byte[]> emptied = new ArrayDeque<>();
    private final Deque<byte[]> emptiedDicts = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] dictionary;
    /** The last block handed on, its dictionary and its deflated form. */
    private byte[] repeated;
    private byte[] repeatedDict;
    private Future<byte[]> repeatedOutput;
    private long total;

    /**
     * @param out     where the gzip bytes go (closed by {@link #close})
     * @param level   a {@link Deflater} level
     * @param threads deflating threads; 1 deflates on the caller's thread
     */
    ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        super(BLOCK);
        this.out = out;
        this.level = level;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kiln-gzip");
            t.setDaemon(true);
            return t;
        }) : null;
        this.maxInFlight = Math.max(2, threads * 2);
        out.write(HEADER);
    }

    @Override
    byte[] nextBlock() {
        byte[] block = emptied.pollFirst();
        return block != null ? block : super.nextBlock();
    }

    @Override
    void full(byte[] block) throws IOException {
        submit(block, false);
    }

    /** Hands a block to a deflater; when {@code last}, it ends the deflate stream. */
    private void submit(byte[] input, boolean last) throws IOException {
        byte[] dict = dictionary;
        crc.update(input, 0, input.length);
        total += input.length;
        // only the last block is short, and nothing follows it
        dictionary = tailOf(input);
        Future<byte[]> deflated;
        if (!last && Arrays.equals(input, repeated) && Arrays.equals(dict, repeatedDict)) {
            // a block's deflate output depends only on it, its dictionary and the level: a run of
            // equal blocks (a file of zeros) is deflated once
            deflated = repeatedOutput;
        } else if (pool == null) {
            deflated = CompletableFuture.completedFuture(deflate(input, dict, last, levelFor(input, level)));
        } else {
            deflated = pool.submit(() -> deflate(input, dict, last, levelFor(input, level)));
        }
        repeated = input;
        repeatedDict = dict;
        repeatedOutput = deflated;
        inFlight.addLast(new InFlight(input, dict, deflated));
        while (inFlight.size() > maxInFlight || (pool == null || last) && !inFlight.isEmpty()) {
            writeOldest();
        }
    }

    /** The last {@value #WINDOW} bytes of {@code input} (all of a shorter one), in an emptied dictionary where one is free. */
    private byte[] tailOf(byte[] input) {
        int from = Math.max(0, input.length - WINDOW);
        byte[] tail = input.length - from == WINDOW ? emptiedDicts.pollFirst() : null;
        if (tail == null) {
            return Arrays.copyOfRange(input, from, input.length);
        }
        System.arraycopy(input, from, tail, 0, WINDOW);
        return tail;
    }

    private void writeOldest() throws IOException {
        try {
            InFlight oldest = inFlight.removeFirst();
            out.write(oldest.output().get()); // its task no longer reads the block and dictionary
            if (oldest.block() != repeated && oldest.block().length == BLOCK) {
                emptied.addLast(oldest.block());
            }
            byte[] dict = oldest.dict();
            if (dict != null && dict != repeatedDict && dict != dictionary && dict.length == WINDOW) {
                emptiedDicts.addLast(dict);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing a layer");
        } catch (ExecutionException e) {
            throw new IOException("compressing a layer failed: " + e.getCause(), e.getCause());
        }
    }

    /** Bytes of each sample {@link #levelFor} deflates, and how many samples a block gets. */
    static final int SAMPLE = 4 * 1024;
    private static final int SAMPLES = 4;

    /**
     * The level a block is deflated with: {@code level}, or {@link Deflater#NO_COMPRESSION} (stored
     * blocks) when the block does not compress — already compressed or random bytes, which zlib at
     * level 6 spends ~8 s of CPU per 200 MB on to gain nothing. The test deflates {@value #SAMPLES}
     * samples of {@value #SAMPLE} bytes spread over the block at the fastest level: all of them
     * must come out at least 98 % of their size. It reads the block alone, so the output still
     * depends only on the input (and a block where any sample compresses keeps {@code level}).
     */
    static int levelFor(byte[] block, int level) {
        if (level == Deflater.NO_COMPRESSION || block.length < SAMPLES * SAMPLE) {
            return level;
        }
        Deflater sampler = new Deflater(Deflater.BEST_SPEED, true);
        try {
            byte[] out = new byte[SAMPLE + 64];
            int step = block.length / SAMPLES;
            for (int i = 0; i < SAMPLES; i++) {
                sampler.reset();
                sampler.setInput(block, i * step, SAMPLE);
                sampler.finish();
                int n = 0;
                while (!sampler.finished() && n < out.length) {
                    n += sampler.deflate(out, n, out.length - n);
                }
                if (sampler.finished() && n * 100L < SAMPLE * 98L) {
                    return level;
                }
            }
            return Deflater.NO_COMPRESSION;
        } finally {
            sampler.end();
        }
    }

    /** One block as raw deflate data: ends with a sync flush, or, when {@code last}, the final block. */
    static byte[] deflate(byte[] input, byte[] dict, boolean last, int level) {
        Deflater deflater = new Deflater(level, true);
        try {
            if (dict != null && dict.length > 0) {
                deflater.setDictionary(dict);
            }
            deflater.setInput(input);
            if (last) {
                deflater.finish();
            }
            ByteArrayOutputStream result = new ByteArrayOutputStream(input.length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            while (true) {
                int n = deflater.deflate(buf, 0, buf.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                result.write(buf, 0, n);
                if (last ? deflater.finished() : n < buf.length && deflater.needsInput()) {
                    return result.toByteArray();
                }
            }
        } finally {
            deflater.end();
        }
    }

    /** Deflates the rest, ends the stream with the CRC-32 and length, and closes {@code out}. */
    @Override
    void finish(byte[] last) throws IOException {
        try {
            submit(last, true);
            byte[] trailer = new byte[8];
            putIntLe(trailer, 0, (int) crc.getValue());
            putIntLe(trailer, 4, (int) total);
            out.write(trailer);
            out.close();
        } finally {
            if (pool != null) {
                inFlight.forEach(f -> f.output().cancel(true));
                pool.shutdownNow();
            }
        }
    }

    private static void putIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
