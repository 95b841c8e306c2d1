package dev.kiln.builder.differential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lists of expected differences rendered as the Markdown block of {@code docs/differential.md},
 * so the documentation says exactly what the differential test accepts.
 */
final class DifferencesDoc {
    static final String BEGIN = "<!-- BEGIN differences (generated from testdata/build and testdata/regression by DifferencesDocTest) -->";
    static final String END = "<!-- END differences -->";

    private DifferencesDoc() {}

    static String render(Path shared, List<BuildCase> cases) throws IOException {
        StringBuilder sb = new StringBuilder(BEGIN).append("\n\n### Every case\n\n");
        table(sb, ExpectedDifferences.read(shared.resolve(ExpectedDifferences.FILE_NAME)));
        for (BuildCase c : cases) {
            sb.append("\n### `").append(c.name()).append("`");
            String what = summary(c.dir().resolve("Dockerfile"));
            if (!what.isEmpty()) {
                sb.append(": ").append(what);
            }
            sb.append("\n\n");
            ExpectedDifferences list = c.expected();
            if (list.entries().isEmpty()) {
                sb.append("No differences beyond those of every case.\n");
            } else {
                table(sb, list);
            }
        }
        return sb.append("\n").append(END).toString();
    }

    /** {@code text} with its generated block replaced by {@code block}. */
    static String replaceBlock(String text, String block) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no " + BEGIN + " … " + END + " block");
        }
        return text.substring(0, begin) + block + text.substring(end + END.length());
    }

    private static void table(StringBuilder sb, ExpectedDifferences list) {
        sb.append("| difference | reason |\n|---|---|\n");
        for (ExpectedDifferences.Entry e : list.entries()) {
            sb.append("| `").append(e.pattern().replace("|", "\\|")).append("` | ")
                    .append(e.reason().replace("|", "\\|")).append(" |\n");
        }
    }

    /** The Dockerfile's leading comment, joined into one line. */
    private static String summary(Path dockerfile) throws IOException {
        List<String> lines = Files.readAllLines(dockerfile, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (!line.startsWith("#")) {
                break;
            }
            sb.append(sb.isEmpty() ? "" : " ").append(line.substring(1).strip());
        }
        return sb.toString();
    }
}
