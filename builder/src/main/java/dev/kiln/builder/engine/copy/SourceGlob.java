package dev.kiln.builder.engine.copy;

import java.util.regex.Pattern;

/**
 * A COPY/ADD source pattern with Go's {@code filepath.Match} rules: {@code *} and {@code ?} never
 * match {@code /}, {@code [a-z]} and {@code [^a]} classes, {@code \} escapes.
 */
final class SourceGlob {
    private final Pattern regex;

    private SourceGlob(Pattern regex) {
        this.regex = regex;
    }

    static boolean hasMeta(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    static SourceGlob compile(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 2);
                if (end < 0) {
                    re.append("\\[");
                    continue;
                }
                String body = pattern.substring(i + 1, end);
                boolean negate = body.startsWith("^") || body.startsWith("!");
                re.append('[').append(negate ? "^/" : "")
                        .append((negate ? body.substring(1) : body).replace("\\", "\\\\").replace("[", "\\["))
                        .append(']');
                i = end;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new SourceGlob(Pattern.compile(re.toString()));
    }

    boolean matches(String path) {
        return regex.matcher(path).matches();
    }
}
