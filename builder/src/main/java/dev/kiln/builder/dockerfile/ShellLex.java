package dev.kiln.builder.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * Dockerfile word expansion exactly as BuildKit's {@code shell.Lex} does it: {@code $v},
 * {@code ${v}}, {@code ${v:-w}}, {@code ${v-w}}, {@code ${v:+w}}, {@code ${v+w}}, {@code ${v:?m}},
 * {@code ${v?m}}, {@code ${v#p}}, {@code ${v##p}}, {@code ${v%p}}, {@code ${v%%p}},
 * {@code ${v/p/r}}, {@code ${v//p/r}}, single and double quotes, and the escape character.
 * Positional and special parameters ({@code $1}, {@code $@}, ...) expand to nothing. Instances
 * are immutable and thread-safe.
 */
public final class ShellLex {

    /** Deepest {@code ${...${...}}} nesting accepted; bounds the recursion. */
    static final int MAX_NESTING = 200;

    private final char escape;
    private final boolean rawQuotes;
    private final boolean rawEscapes;
    private final boolean skipUnsetEnv;

    private ShellLex(Builder b) {
        this.escape = b.escape;
        this.rawQuotes = b.rawQuotes;
        this.rawEscapes = b.rawEscapes;
        this.skipUnsetEnv = b.skipUnsetEnv;
    }

    /** A lexer with the given escape character and BuildKit's default options. */
    public static ShellLex of(char escape) {
        return builder(escape).build();
    }

    public static Builder builder(char escape) {
        return new Builder(escape);
    }

    /** Options; defaults match the lexer BuildKit uses for instruction arguments. */
    public static final class Builder {
        private final char escape;
        private boolean rawQuotes;
        private boolean rawEscapes;
        private boolean skipUnsetEnv;

        private Builder(char escape) {
            this.escape = escape;
        }

        /** Keep quote characters in the output. */
        public Builder rawQuotes(boolean v) {
            rawQuotes = v;
            return this;
        }

        /** Keep escape characters in the output. */
        public Builder rawEscapes(boolean v) {
            rawEscapes = v;
            return this;
        }

        /** Leave references to unset variables as written instead of expanding them to nothing. */
        public Builder skipUnsetEnv(boolean v) {
            skipUnsetEnv = v;
            return this;
        }

        public ShellLex build() {
            return new ShellLex(this);
        }
    }

    /**
     * Expands {@code input} as one word.
     *
     * @throws DockerfileException (without a location) on a syntax error or a {@code ${v?msg}} failure
     */
    public String word(String input, Map<String, String> env) {
        return new Run(input, env).processStopOn(-1, false).text;
    }

    /** Expands {@code input} and splits it into words as the shell would. */
    public List<String> words(String input, Map<String, String> env) {
        return new Run(input, env).processStopOn(-1, false).words;
    }

    /** An expander bound to {@code env}. */
    public WordExpander expander(Map<String, String> env) {
        Map<String, String> copy = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(env));
        return new WordExpander() {
            @Override
            public String word(String w) {
                return ShellLex.this.word(w, copy);
            }

            @Override
            public List<String> words(String text) {
                return ShellLex.this.words(text, copy);
            }

            @Override
            public String heredoc(String text) {
                return builder(escape).rawQuotes(true).rawEscapes(true).build().word(text, copy);
            }
        };
    }

    private record Result(String text, List<String> words) {}

    /** One expansion: a cursor over the input's code points. */
    private final class Run {
        private static final int EOF = -1;
        private final int[] cps;
        private int pos;
        private final Map<String, String> env;
        private int depth;

        Run(String input, Map<String, String> env) {
            this.cps = input.codePoints().toArray();
            this.env = env;
        }

        int peek() {
            return pos < cps.length ? cps[pos] : EOF;
        }

        int next() {
            return pos < cps.length ? cps[pos++] : EOF;
        }

        Result processStopOn(int stop, boolean keepEscapes) {
            StringBuilder result = new StringBuilder();
            ShellWords words = new ShellWords();
            while (peek() != EOF) {
                int ch = peek();
                if (stop != EOF && ch == stop) {
                    next();
                    return new Result(result.toString(), words.get());
                }
                if (ch == '\'' || ch == '"' || ch == '$') {
                    String tmp = ch == '\'' ? singleQuote() : ch == '"' ? doubleQuote() : dollar();
                    result.append(tmp);
                    if (ch == '$') {
                        words.addString(tmp);
                    } else {
                        words.addRaw(tmp);
                    }
                    continue;
                }
                ch = next();
                if (ch == escape) {
                    if (rawEscapes || keepEscapes) {
                        words.addRawChar(ch);
                        result.appendCodePoint(ch);
                    }
                    ch = next();
                    if (ch == EOF) {
                        break;
                    }
                    words.addRawChar(ch);
                } else {
                    words.addChar(ch);
                }
                result.appendCodePoint(ch);
            }
            if (stop != EOF) {
                throw new DockerfileException(null,
                        "unexpected end of statement while looking for matching " + Character.toString(stop));
            }
            return new Result(result.toString(), words.get());
        }

        String singleQuote() {
            StringBuilder sb = new StringBuilder();
            int ch = next();
            if (rawQuotes) {
                sb.appendCodePoint(ch);
            }
            while (true) {
                ch = next();
                if (ch == EOF) {
                    throw new DockerfileException(null,
                            "unexpected end of statement while looking for matching single-quote");
                }
                if (ch == '\'') {
                    if (rawQuotes) {
                        sb.appendCodePoint(ch);
                    }
                    return sb.toString();
                }
                sb.appendCodePoint(ch);
            }
        }

        String doubleQuote() {
            StringBuilder sb = new StringBuilder();
            int ch = next();
            if (rawQuotes) {
                sb.appendCodePoint(ch);
            }
            while (true) {
                int p = peek();
                if (p == EOF) {
                    throw new DockerfileException(null,
                            "unexpected end of statement while looking for matching double-quote");
                }
                if (p == '"') {
                    next();
                    if (rawQuotes) {
                        sb.append('"');
                    }
                    return sb.toString();
                }
                if (p == '$') {
                    sb.append(dollar());
                    continue;
                }
                ch = next();
                if (ch == escape) {
                    if (rawEscapes) {
                        sb.appendCodePoint(ch);
                    }
                    int after = peek();
                    if (after == EOF) {
                        continue;
                    }
                    if (after == '"' || after == '$' || after == escape) {
                        ch = next();
                    }
                }
                sb.appendCodePoint(ch);
            }
        }

        String dollar() {
            next();
            if (peek() != '{') {
                String name = name();
                if (name.isEmpty()) {
                    return "$";
                }
                String value = env.get(name);
                if (value == null && skipUnsetEnv) {
                    return "$" + name;
                }
                return value == null ? "" : value;
            }
            next();
            if (++depth > MAX_NESTING) {
                throw new DockerfileException(null, "variable substitutions nested more than " + MAX_NESTING
                        + " levels deep");
            }
            try {
                return braced();
            } finally {
                depth--;
            }
        }

        private String braced() {
            int p = peek();
            if (p == EOF) {
                throw new DockerfileException(null, "syntax error: missing '}'");
            }
            if (p == '{' || p == '}' || p == ':') {
                throw new DockerfileException(null, "syntax error: bad substitution");
            }
            String name = name();
            int ch = next();
            String value = env.get(name);
            boolean set = value != null;
            switch (ch) {
                case '}':
                    if (!set && skipUnsetEnv) {
                        return "${" + name + "}";
                    }
                    return set ? value : "";
                case '/':
                    return replace(name, value);
                case ':':
                case '+':
                case '-':
                case '?':
                case '#':
                case '%':
                    return modifier(name, value, ch);
                default:
                    if (ch == EOF) {
                        throw new DockerfileException(null, "syntax error: missing '}' after ${" + name);
                    }
                    throw new DockerfileException(null, "unsupported modifier (" + Character.toString(ch)
                            + ") in substitution of `" + name + "`");
            }
        }

        private String modifier(String name, String value, int first) {
            boolean set = value != null;
            boolean nullIsUnset = false;
            int ch = first;
            String mod = Character.toString(ch);
            if (ch == ':') {
                nullIsUnset = true;
                ch = next();
                mod += ch == EOF ? "" : Character.toString(ch);
                if (ch != '-' && ch != '+' && ch != '?') {
                    throw new DockerfileException(null, "unsupported modifier (" + mod + ") in substitution of `"
                            + name + "`");
                }
            }
            boolean patternOp = ch == '#' || ch == '%';
            boolean greedy = false;
            if (patternOp && peek() == ch) {
                next();
                greedy = true;
                mod += Character.toString(ch);
            }
            Result word;
            try {
                word = processStopOn('}', patternOp);
            } catch (DockerfileException e) {
                if (peek() == EOF) {
                    throw new DockerfileException(null, "syntax error: missing '}'");
                }
                throw e;
            }
            if (!set && skipUnsetEnv) {
                return "${" + name + mod + word.text + "}";
            }
            boolean empty = !set || (nullIsUnset && value.isEmpty());
            switch (ch) {
                case '-':
                    return empty ? word.text : value;
                case '+':
                    return empty ? "" : word.text;
                case '?':
                    if (!set) {
                        throw new DockerfileException(null,
                                name + ": " + (word.text.isEmpty() ? "is not allowed to be unset" : word.text));
                    }
                    if (nullIsUnset && value.isEmpty()) {
                        throw new DockerfileException(null,
                                name + ": " + (word.text.isEmpty() ? "is not allowed to be empty" : word.text));
                    }
                    return value;
                case '#':
                    return ShellPattern.compile(word.text, escape).trimPrefix(set ? value : "", greedy);
                default: // '%'
                    return ShellPattern.compile(word.text, escape).trimSuffix(set ? value : "", greedy);
            }
        }

        private String replace(String name, String value) {
            boolean all = peek() == '/';
            if (all) {
                next();
            }
            Result pattern;
            Result replacement;
            try {
                pattern = processStopOn('/', true);
            } catch (DockerfileException e) {
                if (peek() == EOF) {
                    throw new DockerfileException(null, "syntax error: missing '/' in ${" + name + "/...}");
                }
                throw e;
            }
            try {
                replacement = processStopOn('}', true);
            } catch (DockerfileException e) {
                if (peek() == EOF) {
                    throw new DockerfileException(null, "syntax error: missing '}'");
                }
                throw e;
            }
            if (value == null && skipUnsetEnv) {
                return "${" + name + (all ? "//" : "/") + pattern.text + "/" + replacement.text + "}";
            }
            String repl = ShellPattern.unescape(replacement.text, escape);
            return ShellPattern.compile(pattern.text, escape)
                    .replace(value == null ? "" : value, repl, all);
        }

        private String name() {
            StringBuilder name = new StringBuilder();
            while (peek() != EOF) {
                int ch = peek();
                if (name.length() == 0 && Character.isDigit(ch)) {
                    while (peek() != EOF && Character.isDigit(peek())) {
                        name.appendCodePoint(next());
                    }
                    return name.toString();
                }
                if (name.length() == 0 && isSpecialParam(ch)) {
                    return Character.toString(next());
                }
                if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
                    break;
                }
                name.appendCodePoint(next());
            }
            return name.toString();
        }
    }

    private static boolean isSpecialParam(int ch) {
        return switch (ch) {
            case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
            default -> false;
        };
    }
}
