package dev.kiln.builder.dockerfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A Dockerfile's bytes made text, as BuildKit accepts them: UTF-8 (a leading byte-order mark is
 * dropped), no line longer than BuildKit's 64 KiB, no file bigger than {@link #MAX_BYTES}. Every
 * refusal is one {@code FILE:LINE: ...} error, found before anything else reads the text.
 */
public final class DockerfileText {
    /** BuildKit's longest line: Go's {@code bufio.MaxScanTokenSize}. */
    public static final int MAX_LINE_BYTES = 64 * 1024 - 1;
    /** Far beyond any real Dockerfile; keeps a hostile one from filling the heap. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;

    private DockerfileText() {}

    /** Reads at most {@link #MAX_BYTES} (plus one, to notice more) from {@code in} and decodes them. */
    public static String read(String file, InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        return decode(file, bytes);
    }

    /** Decodes a whole Dockerfile, or throws a {@link DockerfileException} naming the line. */
    public static String decode(String file, byte[] bytes) {
        String name = file == null ? "Dockerfile" : file;
        if (bytes.length > MAX_BYTES) {
            throw new DockerfileException(null, name + ": more than " + MAX_BYTES / (1024 * 1024)
                    + " MiB; kiln does not read Dockerfiles this big", "is this file really the Dockerfile?");
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i - lineStart > MAX_LINE_BYTES) {
                    throw new DockerfileException(null, name + ":" + line + ": line longer than " + MAX_LINE_BYTES
                            + " bytes (BuildKit's limit)", "split it with \\ continuation lines");
                }
                line++;
                lineStart = i + 1;
            }
        }
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
                && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new DockerfileException(null, name + ":" + lineOf(bytes, in.position()) + ": not valid UTF-8",
                    "save the file as UTF-8");
        }
        return out.flip().toString();
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
