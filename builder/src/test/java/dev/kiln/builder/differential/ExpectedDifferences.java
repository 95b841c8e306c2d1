package dev.kiln.builder.differential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of differences between kiln's and buildah's images that are known and explained: an
 * {@code expected-differences.tsv} file, one {@code KEY-PATTERN<TAB>REASON} per line ({@code #}
 * comments and blank lines ignored). A pattern is a {@link Difference#key()} where {@code *}
 * stands for any text.
 */
record ExpectedDifferences(List<Entry> entries) {
    static final String FILE_NAME = "expected-differences.tsv";

    /** One listed difference and why it exists. */
    record Entry(String pattern, String reason, String where) {
        boolean matches(Difference d) {
            return regex().matcher(d.key()).matches();
        }

        private Pattern regex() {
            StringBuilder re = new StringBuilder();
            for (String part : pattern.split("\\*", -1)) {
                if (!re.isEmpty()) {
                    re.append(".*");
                }
                re.append(Pattern.quote(part));
            }
            return Pattern.compile(re.toString());
        }
    }

    /** What a case's differences say against the lists. */
    record Verdict(List<Difference> unlisted, List<Entry> stale) {
        boolean ok() {
            return unlisted.isEmpty() && stale.isEmpty();
        }

        String explain(String caseName) {
            StringBuilder sb = new StringBuilder();
            for (Difference d : unlisted) {
                sb.append("\n  not listed: ").append(d);
            }
            for (Entry e : stale) {
                sb.append("\n  listed but no longer occurs: ").append(e.pattern()).append(" (").append(e.where())
                        .append(")");
            }
            return caseName + ": the differences from buildah are not the listed ones (" + FILE_NAME + ")" + sb;
        }
    }

    ExpectedDifferences {
        entries = List.copyOf(entries);
    }

    /** The list in {@code file}, empty when the file does not exist. */
    static ExpectedDifferences read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new ExpectedDifferences(List.of());
        }
        List<Entry> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab <= 0 || line.substring(tab + 1).isBlank()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": want KEY-PATTERN<TAB>REASON, got: " + line);
            }
            out.add(new Entry(line.substring(0, tab).strip(), line.substring(tab + 1).strip(),
                    file.getFileName() + ":" + (i + 1)));
        }
        return new ExpectedDifferences(out);
    }

    /**
     * Judges {@code found} against this case's list and a list shared by all cases: a difference
     * neither explains is unlisted; an entry of this case's list matching nothing is stale
     * (shared entries are judged over all cases: see {@link #unmatched}).
     */
    Verdict judge(List<Difference> found, ExpectedDifferences shared) {
        List<Difference> unlisted = found.stream()
                .filter(d -> entries.stream().noneMatch(e -> e.matches(d))
                        && shared.entries.stream().noneMatch(e -> e.matches(d)))
                .toList();
        return new Verdict(unlisted, unmatched(found));
    }

    /** The entries that match none of {@code found}. */
    List<Entry> unmatched(List<Difference> found) {
        return entries.stream().filter(e -> found.stream().noneMatch(e::matches)).toList();
    }
}
