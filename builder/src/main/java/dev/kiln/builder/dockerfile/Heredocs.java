package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the heredoc markers ({@code <<EOF}, {@code <<-EOF}, {@code 3<<"EOF"}) of a logical line. */
final class Heredocs {
    private Heredocs() {}

    private static final Set<String> ALLOWED = Set.of("run", "copy", "add");
    private static final Pattern MARKER = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");

    static boolean allowed(String keyword) {
        return ALLOWED.contains(keyword);
    }

    /** The heredocs a line opens, in order, with empty content; none when the line does not lex. */
    static List<Heredoc> fromLine(String line) {
        ShellLex raw = ShellLex.builder('\\').rawQuotes(true).skipUnsetEnv(true).build();
        List<String> words;
        try {
            words = raw.words(line, Map.of());
        } catch (DockerfileException e) {
            return List.of();
        }
        List<Heredoc> docs = new ArrayList<>();
        for (String w : words) {
            Heredoc doc = marker(w);
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** The heredoc a single word opens, or null if it is not a heredoc marker. */
    static Heredoc marker(String word) {
        Matcher m = MARKER.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return null;
        }
        String rawName = m.group(3);
        List<String> names;
        try {
            names = ShellLex.builder('\\').skipUnsetEnv(true).build().words(rawName, Map.of());
        } catch (DockerfileException e) {
            return null;
        }
        if (names.size() != 1) {
            return null;
        }
        String name = names.get(0);
        int fd = m.group(1).isEmpty() ? 0 : parseFd(m.group(1));
        // Quotes anywhere in the delimiter disable expansion: they show as a quote-count difference.
        boolean expand = quotes(name) == quotes(rawName);
        return new Heredoc(name, "", expand, "-".equals(m.group(2)), fd);
    }

    private static long quotes(String s) {
        return s.chars().filter(c -> c == '\'' || c == '"').count();
    }

    private static int parseFd(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
