package dev.kiln.builder.dockerfile;

/** Character classes as Go's {@code unicode} package and BuildKit's regexes define them. */
final class Chars {
    private Chars() {}

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xa0 -> true;
            default -> c > 0xff && Character.isWhitespace(c) || c == 0x2007 || c == 0x202f;
        };
    }

    /** BuildKit's {@code reWhitespace}: {@code [\t\v\f\r ]}. */
    static boolean isSplitSpace(char c) {
        return c == '\t' || c == 0x0b || c == '\f' || c == '\r' || c == ' ';
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    static String trimLeft(String s) {
        int b = 0;
        while (b < s.length() && isSpace(s.charAt(b))) {
            b++;
        }
        return s.substring(b);
    }
}
