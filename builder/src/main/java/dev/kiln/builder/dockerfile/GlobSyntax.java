package dev.kiln.builder.dockerfile;

/** The syntax rules of Go's {@code filepath.Match}, which Docker applies to ignore patterns. */
final class GlobSyntax {
    private GlobSyntax() {}

    static boolean hasMeta(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[\\".indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Null when {@code pattern} is well formed, else what is wrong with it. */
    static String check(String pattern) {
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                if (i + 1 >= n) {
                    return "a trailing backslash escapes nothing";
                }
                i += 2;
            } else if (c == '[') {
                i++;
                if (i < n && pattern.charAt(i) == '^') {
                    i++;
                }
                int ranges = 0;
                while (true) {
                    if (i < n && pattern.charAt(i) == ']' && ranges > 0) {
                        i++;
                        break;
                    }
                    int lo = classChar(pattern, i);
                    if (lo < 0) {
                        return "malformed character class";
                    }
                    i = lo;
                    if (pattern.charAt(i) == '-') {
                        int hi = classChar(pattern, i + 1);
                        if (hi < 0) {
                            return "malformed character class range";
                        }
                        i = hi;
                    }
                    ranges++;
                }
            } else {
                i++;
            }
        }
        return null;
    }

    /** Index after one class character starting at {@code i}, or -1 if malformed. */
    private static int classChar(String p, int i) {
        int n = p.length();
        if (i >= n || p.charAt(i) == '-' || p.charAt(i) == ']') {
            return -1;
        }
        if (p.charAt(i) == '\\') {
            i++;
            if (i >= n) {
                return -1;
            }
        }
        i += Character.charCount(p.codePointAt(i));
        return i >= n ? -1 : i;
    }
}
