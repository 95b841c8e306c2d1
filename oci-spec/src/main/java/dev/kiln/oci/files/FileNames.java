package dev.kiln.oci.files;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * File names are bytes. Linux, tar and layers give names as byte strings that need not be valid
 * UTF-8 (Latin-1 names, or Debian's {@code NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem} in any
 * locale), while the JVM converts between {@link Path} and {@link String} with the charset of the
 * process's locale ({@code sun.jnu.encoding}: ASCII when {@code LANG} is unset, where every
 * non-ASCII name throws or turns into {@code ?}).
 *
 * <p>This class owns the one text form of a name kiln uses everywhere: the bytes decoded as
 * UTF-8, each byte of an invalid sequence kept as a lone surrogate {@code U+DC80..U+DCFF} (the
 * {@code surrogateescape} of Python and of PEP 383). Valid UTF-8 names are plain readable Strings
 * ({@code COPY café /x} names the file {@code café}); every name round-trips to the same bytes.
 * The conversions to and from {@link Path} are byte-exact whatever the locale: pure ASCII takes the
 * JVM's own route, anything else goes through a {@code file:} URI, whose percent-escapes the JDK
 * maps to and from a path's raw bytes.
 */
public final class FileNames {
    private static final char ESCAPE_BASE = '\uDC00';
    private static final boolean JNU_UTF8 = isUtf8(System.getProperty("sun.jnu.encoding"));

    private FileNames() {}

    /** The text form of a name or path given as bytes. */
    public static String decode(byte[] bytes) {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    out.put((char) (ESCAPE_BASE | (in.get() & 0xff)));
                }
            } else {
                throw new IllegalStateException("UTF-8 decoding overflowed a buffer as long as its input");
            }
        }
        out.flip();
        return out.toString();
    }

    /** The bytes of a name or path in text form. */
    public static byte[] encode(String text) {
        if (isAscii(text)) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
        ByteBuffer out = ByteBuffer.allocate(text.length() * 4);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '\uDC80' && c <= '\uDCFF') {
                out.put((byte) c);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.put(String.valueOf(new char[] {c, text.charAt(++i)}).getBytes(StandardCharsets.UTF_8));
            } else if (Character.isSurrogate(c)) {
                out.put((byte) '?'); // a lone surrogate no byte string decodes to
            } else {
                out.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** The text form of a whole path (absolute or relative), byte-exact. */
    public static String text(Path path) {
        String s = path.toString();
        if (isAscii(s) || (JNU_UTF8 && s.indexOf('\uFFFD') < 0)) {
            return s;
        }
        return decode(bytes(path));
    }

    /** The text form of the last component of {@code path} ({@code ""} for the root). */
    public static String name(Path path) {
        Path name = path.getFileName();
        return name == null ? "" : text(name);
    }

    /** {@code path} relative to {@code base}, in text form with {@code /} separators. */
    public static String relative(Path base, Path path) {
        return text(base.relativize(path));
    }

    /** The path whose bytes are the text form's bytes. */
    public static Path path(String text) {
        if (isAscii(text)) {
            return Path.of(text);
        }
        byte[] bytes = encode(text);
        StringBuilder uri = new StringBuilder("file://");
        if (bytes.length == 0 || bytes[0] != '/') {
            uri.append('/');
        }
        for (byte b : bytes) {
            int c = b & 0xff;
            if (b == 0) {
                throw new IllegalArgumentException("NUL in file name '" + text.replace('\0', '?') + "'");
            }
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/-._~".indexOf(c) >= 0) {
                uri.append((char) c);
            } else {
                uri.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        Path absolute = Path.of(URI.create(uri.toString()));
        if (text.startsWith("/")) {
            return absolute;
        }
        return absolute.getNameCount() == 0 ? Path.of("") : absolute.subpath(0, absolute.getNameCount());
    }

    /** {@code dir} resolved against a name or relative path in text form, byte-exact. */
    public static Path resolve(Path dir, String relative) {
        if (isAscii(relative) || dir.getFileSystem() != FileSystems.getDefault()) {
            return dir.resolve(relative);
        }
        return dir.resolve(path(relative));
    }

    /** Orders names (or paths) by their bytes, as tar and {@code ls} in the C locale do. */
    public static int compare(String a, String b) {
        if (isAscii(a) && isAscii(b)) {
            return a.compareTo(b);
        }
        return Arrays.compareUnsigned(encode(a), encode(b));
    }

    /**
     * A name in text form as one char per byte ({@code ISO-8859-1}): the form in which tar
     * libraries configured with that charset read and write header fields byte-exactly.
     */
    public static String toLatin1(String text) {
        return isAscii(text) ? text : new String(encode(text), StandardCharsets.ISO_8859_1);
    }

    /** The inverse of {@link #toLatin1}. */
    public static String fromLatin1(String latin1) {
        return isAscii(latin1) ? latin1 : decode(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Whether the text form is all ASCII (then it is its own bytes in every locale kiln runs in). */
    public static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** The raw bytes of a path: the percent-escapes of its {@code file:} URI, decoded. */
    private static byte[] bytes(Path path) {
        Path absolute = path.isAbsolute() ? path : path.getFileSystem().getPath("/").resolve(path);
        String raw = absolute.toUri().getRawPath();
        if (raw.length() > 1 && raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1); // toUri marks an existing directory with '/'
        }
        int start = path.isAbsolute() ? 0 : 1;
        ByteBuffer out = ByteBuffer.allocate(raw.length());
        for (int i = start; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.put((byte) Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.put((byte) c);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static boolean isUtf8(String charset) {
        return charset != null && (charset.equalsIgnoreCase("UTF-8") || charset.equalsIgnoreCase("UTF8"));
    }
}
