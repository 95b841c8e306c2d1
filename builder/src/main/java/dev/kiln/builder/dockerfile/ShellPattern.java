package dev.kiln.builder.dockerfile;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A shell pattern as used by {@code ${v#p}}, {@code ${v%p}} and {@code ${v/p/r}}: {@code *},
 * {@code ?}, bracket classes ({@code [a-z]}, {@code [!a]}, {@code [^a]}) and escaped characters.
 */
final class ShellPattern {

    private final Pattern regex;

    private ShellPattern(Pattern regex) {
        this.regex = regex;
    }

    static ShellPattern compile(String pattern, char escape) {
        StringBuilder re = new StringBuilder();
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c == escape && i + 1 < n) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '*') {
                re.append("[\\s\\S]*");
            } else if (c == '?') {
                re.append("[\\s\\S]");
            } else if (c == '[') {
                int end = classEnd(pattern, i);
                if (end < 0) {
                    re.append("\\[");
                } else {
                    re.append(classRegex(pattern.substring(i + 1, end), escape));
                    i = end;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return new ShellPattern(Pattern.compile(re.toString()));
        } catch (PatternSyntaxException e) {
            throw new DockerfileException(null, "invalid pattern `" + pattern + "` in substitution: "
                    + e.getDescription());
        }
    }

    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        for (; i < p.length(); i++) {
            if (p.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    private static String classRegex(String body, char escape) {
        StringBuilder sb = new StringBuilder("[");
        int i = 0;
        if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
            sb.append('^');
            i = 1;
        }
        for (; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == escape && i + 1 < body.length()) {
                c = body.charAt(++i);
                sb.append('\\').append(c);
            } else if (c == '-' && i > 0 && i + 1 < body.length()) {
                sb.append('-');
            } else if (Character.isLetterOrDigit(c)) {
                sb.append(c);
            } else {
                sb.append('\\').append(c);
            }
        }
        return sb.append(']').toString();
    }

    /** {@code ${v#p}} (shortest) or {@code ${v##p}} (longest). */
    String trimPrefix(String value, boolean longest) {
        int n = value.length();
        for (int k = 0; k <= n; k++) {
            int len = longest ? n - k : k;
            if (regex.matcher(value.substring(0, len)).matches()) {
                return value.substring(len);
            }
        }
        return value;
    }

    /** {@code ${v%p}} (shortest) or {@code ${v%%p}} (longest). */
    String trimSuffix(String value, boolean longest) {
        int n = value.length();
        for (int k = 0; k <= n; k++) {
            int start = longest ? k : n - k;
            if (regex.matcher(value.substring(start)).matches()) {
                return value.substring(0, start);
            }
        }
        return value;
    }

    /** {@code ${v/p/r}} (first, longest match) or {@code ${v//p/r}} (every match). */
    String replace(String value, String replacement, boolean all) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = value.length();
        boolean replaced = false;
        while (i <= n) {
            int end = (!replaced || all) ? longestMatchAt(value, i) : -1;
            if (end > i) {
                out.append(replacement);
                i = end;
                replaced = true;
                continue;
            }
            if (i < n) {
                out.append(value.charAt(i));
            }
            i++;
        }
        return out.toString();
    }

    private int longestMatchAt(String value, int start) {
        for (int end = value.length(); end > start; end--) {
            if (regex.matcher(value.substring(start, end)).matches()) {
                return end;
            }
        }
        return -1;
    }

    /** Removes escape characters (the escaped character stays). */
    static String unescape(String s, char escape) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == escape && i + 1 < s.length()) {
                c = s.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
