package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * How BuildKit's parser turns the text after a keyword into flags and arguments: flag extraction,
 * quote-aware word splitting, JSON arrays, key/value pairs, each keyword's rule.
 */
final class NodeArgs {
    private NodeArgs() {}

    /** The parsed argument part of one line. */
    record Parsed(List<String> args, Node inner, boolean json) {
        static Parsed of(List<String> args) {
            return new Parsed(args, null, false);
        }
    }

    /** Splits {@code line} into the flags and the rest; quotes and escapes inside flags drop out. */
    static String extractFlags(String line, char escape, List<String> flags) {
        final int inSpaces = 0;
        final int inWord = 1;
        final int inQuote = 2;
        int phase = inSpaces;
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean blankOk = false;
        int n = line.length();
        for (int pos = 0; pos <= n; pos++) {
            char ch = pos < n ? line.charAt(pos) : 0;
            if (phase == inSpaces) {
                if (pos == n) {
                    break;
                }
                if (Chars.isSpace(ch)) {
                    continue;
                }
                if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
                    return line.substring(pos);
                }
                phase = inWord;
            }
            if (pos == n) {
                if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
                    flags.add(word.toString());
                }
                break;
            }
            if (phase == inWord) {
                if (Chars.isSpace(ch)) {
                    phase = inSpaces;
                    if (word.toString().equals("--")) {
                        return line.substring(pos);
                    }
                    if (blankOk || word.length() > 0) {
                        flags.add(word.toString());
                    }
                    word.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = inQuote;
                    continue;
                }
                if (ch == escape) {
                    if (pos + 1 == n) {
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
                continue;
            }
            // inQuote
            if (ch == quote) {
                phase = inWord;
                continue;
            }
            if (ch == escape) {
                if (pos + 1 == n) {
                    phase = inWord;
                    continue;
                }
                ch = line.charAt(++pos);
            }
            word.append(ch);
        }
        return "";
    }

    /** Splits on whitespace outside quotes; quotes and escape pairs stay in the words. */
    static List<String> words(String rest, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        int n = rest.length();
        int pos = 0;
        while (pos < n) {
            char ch = rest.charAt(pos);
            if (quote == 0) {
                if (Chars.isSpace(ch)) {
                    if (inWord && (blankOk || word.length() > 0)) {
                        words.add(word.toString());
                    }
                    inWord = false;
                    word.setLength(0);
                    blankOk = false;
                    pos++;
                    continue;
                }
                inWord = true;
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                }
                if (ch == escape) {
                    if (pos + 1 == n) {
                        pos++;
                        continue;
                    }
                    word.append(ch);
                    ch = rest.charAt(++pos);
                }
                word.append(ch);
                pos++;
                continue;
            }
            if (ch == quote) {
                quote = 0;
            } else if (ch == escape && quote != '\'') {
                if (pos + 1 == n) {
                    quote = 0;
                    pos++;
                    continue;
                }
                word.append(ch);
                ch = rest.charAt(++pos);
            }
            word.append(ch);
            pos++;
        }
        if (inWord && (blankOk || word.length() > 0)) {
            words.add(word.toString());
        }
        return words;
    }

    /** Splits on runs of {@code [\t\v\f\r ]}. */
    static List<String> splitWhitespace(String s, int limit) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            if (limit > 0 && out.size() == limit - 1) {
                out.add(s.substring(i));
                return out;
            }
            int j = i;
            while (j < n && !Chars.isSplitSpace(s.charAt(j))) {
                j++;
            }
            out.add(s.substring(i, j));
            if (j == n) {
                return out;
            }
            while (j < n && Chars.isSplitSpace(s.charAt(j))) {
                j++;
            }
            i = j;
        }
    }

    /**
     * The arguments as a JSON array of strings, or null when {@code rest} is not valid JSON (the
     * caller then falls back to the shell form, as BuildKit does).
     */
    static List<String> jsonArray(String rest, SourceRange range) {
        String trimmed = Chars.trimLeft(rest);
        if (!trimmed.startsWith("[")) {
            return null;
        }
        JsonArgs.Failure[] why = new JsonArgs.Failure[1];
        List<String> out = JsonArgs.parse(trimmed, why);
        if (out == null && why[0] == JsonArgs.Failure.NOT_STRINGS) {
            throw new DockerfileException(range, "JSON arguments must be an array of strings: `" + rest + "`");
        }
        return out;
    }

    /** The argument rule of each keyword; unknown keywords get one empty argument, as in BuildKit. */
    static Parsed parse(String keyword, String rest, Directives d, SourceRange range, LineParser sub) {
        return switch (keyword) {
            case "from", "expose" -> Parsed.of(rest.isEmpty() ? List.of() : splitWhitespace(rest, 0));
            case "add", "copy", "volume" -> maybeJsonToList(rest, range);
            case "run", "cmd", "entrypoint", "shell" -> maybeJson(rest, range);
            case "maintainer", "user", "workdir", "stopsignal" ->
                    Parsed.of(rest.isEmpty() ? List.of() : List.of(rest));
            case "arg" -> Parsed.of(words(rest, d.escape()));
            case "env", "label" -> Parsed.of(nameValues(rest, keyword, d.escape(), range));
            case "healthcheck" -> healthcheck(rest, range);
            case "onbuild" -> {
                if (rest.isEmpty()) {
                    yield Parsed.of(List.of());
                }
                if (splitWhitespace(rest, 2).get(0).equalsIgnoreCase("onbuild")) {
                    // BuildKit rejects this one layer later; rejecting it here bounds the recursion.
                    throw new DockerfileException(range, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                }
                yield new Parsed(List.of(), sub.parseLine(rest, range), false);
            }
            default -> Parsed.of(List.of(""));
        };
    }

    /** Parses one logical line into a node; ONBUILD uses it for its inner instruction. */
    interface LineParser {
        Node parseLine(String line, SourceRange range);
    }

    private static Parsed maybeJson(String rest, SourceRange range) {
        if (rest.isEmpty()) {
            return Parsed.of(List.of());
        }
        List<String> json = jsonArray(rest, range);
        return json != null ? new Parsed(json, null, true) : Parsed.of(List.of(rest));
    }

    private static Parsed maybeJsonToList(String rest, SourceRange range) {
        List<String> json = jsonArray(rest, range);
        if (json != null) {
            return new Parsed(json, null, true);
        }
        return Parsed.of(rest.isEmpty() ? List.of() : splitWhitespace(rest, 0));
    }

    private static Parsed healthcheck(String rest, SourceRange range) {
        int sep = 0;
        while (sep < rest.length() && !Chars.isSpace(rest.charAt(sep))) {
            sep++;
        }
        if (sep == 0) {
            return Parsed.of(List.of());
        }
        int next = sep;
        while (next < rest.length() && Chars.isSpace(rest.charAt(next))) {
            next++;
        }
        Parsed cmd = maybeJson(rest.substring(next), range);
        List<String> args = new ArrayList<>();
        args.add(rest.substring(0, sep));
        args.addAll(cmd.args());
        return new Parsed(args, null, cmd.json());
    }

    private static List<String> nameValues(String rest, String keyword, char escape, SourceRange range) {
        List<String> words = words(rest, escape);
        if (words.isEmpty()) {
            return List.of();
        }
        if (!words.get(0).contains("=")) {
            List<String> parts = splitWhitespace(rest, 2);
            if (parts.size() < 2) {
                throw new DockerfileException(range, keyword.toUpperCase() + " must have two arguments: `"
                        + rest + "` has no value", "write " + keyword.toUpperCase() + " " + rest + "=VALUE");
            }
            return List.of(parts.get(0), parts.get(1), "");
        }
        List<String> out = new ArrayList<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new DockerfileException(range, "syntax error: can't find = in `" + w
                        + "` (" + keyword.toUpperCase() + " takes name=value pairs)");
            }
            out.add(w.substring(0, eq));
            out.add(w.substring(eq + 1));
            out.add("=");
        }
        return out;
    }
}
