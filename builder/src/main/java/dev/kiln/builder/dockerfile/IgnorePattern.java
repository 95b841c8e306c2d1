package dev.kiln.builder.dockerfile;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One cleaned {@code .dockerignore} pattern with Docker's matching rules (moby/patternmatcher):
 * anchored at the context root, {@code *} and {@code ?} never cross {@code /}, {@code **} spans
 * directories, {@code [..]} classes, {@code \} escapes. Like the reference matcher it reduces
 * patterns to an exact, prefix ({@code dir**}), suffix ({@code **name}) or regular-expression test,
 * and keeps that matcher's quirks (documented in {@code docs/frontend.md}).
 */
public final class IgnorePattern {

    private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

    private final String cleaned;
    private final boolean exclusion;
    private final SourceRange source;
    private final int segments;
    private Kind kind;
    private Pattern regex;
    private String compileError;

    IgnorePattern(String cleaned, boolean exclusion, SourceRange source) {
        this.cleaned = cleaned;
        this.exclusion = exclusion;
        this.source = source;
        this.segments = cleaned.split("/", -1).length;
        compile();
    }

    /** The pattern after cleaning, without a leading {@code !}. */
    public String pattern() {
        return cleaned;
    }

    /** True for a {@code !pattern} that re-includes paths. */
    public boolean exclusion() {
        return exclusion;
    }

    int segments() {
        return segments;
    }

    /** Whether the slash-separated relative {@code path} itself matches (no parent check). */
    boolean matches(String path) {
        switch (kind) {
            case EXACT:
                return path.equals(cleaned);
            case PREFIX:
                return path.startsWith(cleaned.substring(0, cleaned.length() - 2));
            case SUFFIX: {
                String suffix = cleaned.substring(2);
                if (path.endsWith(suffix)) {
                    return true;
                }
                return !suffix.isEmpty() && suffix.charAt(0) == '/' && path.equals(suffix.substring(1));
            }
            default:
                if (regex == null) {
                    throw new DockerfileException(source, "bad .dockerignore pattern `" + cleaned + "`: "
                            + compileError);
                }
                return regex.matcher(path).matches();
        }
    }

    private void compile() {
        StringBuilder re = new StringBuilder();
        Kind detected = Kind.EXACT;
        boolean inClass = false;
        int[] cps = cleaned.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int ch = cps[i];
            boolean first = i == 0;
            if (ch == '*') {
                if (i + 1 < cps.length && cps[i + 1] == '*') {
                    i++;
                    if (i + 1 < cps.length && cps[i + 1] == '/') {
                        i++;
                    }
                    if (i + 1 >= cps.length) {
                        if (detected == Kind.EXACT) {
                            detected = Kind.PREFIX;
                        } else {
                            re.append(".*");
                            detected = Kind.REGEX;
                        }
                    } else {
                        re.append("(.*/)?");
                        detected = Kind.REGEX;
                    }
                    if (first) {
                        detected = Kind.SUFFIX;
                    }
                } else {
                    re.append(inClass ? "\\[^/]*" : "[^/]*");
                    detected = Kind.REGEX;
                }
            } else if (ch == '?') {
                re.append(inClass ? "\\[^/]" : "[^/]");
                detected = Kind.REGEX;
            } else if (".+()|{}$".indexOf(ch) >= 0) {
                re.append('\\').appendCodePoint(ch);
            } else if (ch == '\\') {
                if (i + 1 < cps.length) {
                    re.append('\\').appendCodePoint(cps[++i]);
                    detected = Kind.REGEX;
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[') {
                re.append(inClass ? "\\[" : "[");
                inClass = true;
                detected = Kind.REGEX;
            } else if (ch == ']') {
                re.append(']');
                inClass = false;
                detected = Kind.REGEX;
            } else if (ch == '&' && inClass) {
                re.append("\\&");
            } else {
                re.appendCodePoint(ch);
            }
        }
        kind = detected;
        if (detected == Kind.REGEX) {
            try {
                regex = Pattern.compile(re.toString());
            } catch (PatternSyntaxException e) {
                compileError = e.getDescription();
            }
        }
    }

    @Override
    public String toString() {
        return (exclusion ? "!" : "") + cleaned;
    }
}
