package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text to generic {@link Node}s, as BuildKit's parser does it: parser directives at the top,
 * comments, continuation lines with the active escape character (comment and blank lines inside a
 * continuation are skipped, the latter with a warning), heredoc bodies after RUN, COPY and ADD
 * lines, and a source range on every node.
 */
public final class DockerfileParser {

    private static final Pattern DIRECTIVE =
            Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");

    private final String file;
    private final String[] lines;
    private int next;
    private char escape = '\\';
    private String syntax;
    private String check;
    private boolean directivesDone;
    private boolean escapeSeen;
    private final List<DockerfileWarning> warnings = new ArrayList<>();

    private DockerfileParser(String file, String text) {
        this.file = file;
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String[] split = body.split("\n", -1);
        int count = split.length;
        if (count > 0 && split[count - 1].isEmpty()) {
            count--; // a final newline does not start another line
        }
        this.lines = new String[count];
        for (int i = 0; i < count; i++) {
            String l = split[i];
            int e = l.length();
            while (e > 0 && (l.charAt(e - 1) == '\r' || l.charAt(e - 1) == '\n')) {
                e--;
            }
            lines[i] = l.substring(0, e);
        }
    }

    /**
     * Parses {@code text} (the contents of {@code file}, used only in messages) into nodes.
     *
     * @throws DockerfileException with file:line:column for malformed input, including a file with
     *     no instructions
     */
    public static ParsedDockerfile parse(String file, String text) {
        DockerfileParser p = new DockerfileParser(file, text);
        List<Node> nodes = p.run();
        if (nodes.isEmpty()) {
            throw new DockerfileException(new SourceRange(file, 1, 1, 1), "file with no instructions",
                    "a Dockerfile needs at least a FROM line");
        }
        return new ParsedDockerfile(file, new Directives(p.escape, p.syntax, p.check), nodes, p.warnings);
    }

    private List<Node> run() {
        List<Node> nodes = new ArrayList<>();
        while (next < lines.length) {
            String raw = lines[next++];
            int startLine = next;
            scanDirective(Chars.trimLeft(raw), startLine);
            if (isComment(raw)) {
                continue;
            }
            String first = Chars.trimLeft(raw);
            int column = raw.length() - first.length() + 1;
            StringBuilder line = new StringBuilder();
            boolean end = appendTrimmed(line, first);
            if (end && line.length() == 0) {
                continue;
            }
            boolean emptyContinuation = false;
            while (!end && next < lines.length) {
                String cont = lines[next++];
                scanDirective(cont, next);
                if (isComment(cont)) {
                    continue;
                }
                if (Chars.trimLeft(cont).isEmpty()) {
                    emptyContinuation = true;
                    continue;
                }
                end = appendTrimmed(line, cont);
            }
            SourceRange range = new SourceRange(file, startLine, next, column);
            if (emptyContinuation) {
                warnings.add(new DockerfileWarning(range,
                        "empty continuation line found in: " + line
                                + " (empty continuation lines will become errors in a future release)"));
            }
            Node node = parseLine(line.toString(), range);
            boolean heredocCapable = Heredocs.allowed(node.keyword())
                    || node.inner() != null && Heredocs.allowed(node.inner().keyword());
            if (heredocCapable && line.indexOf("<<") >= 0) {
                node = readHeredocs(node, startLine, column);
            }
            nodes.add(node);
        }
        return nodes;
    }

    private Node parseLine(String line, SourceRange range) {
        String trimmed = Chars.trim(line);
        List<String> cmd = NodeArgs.splitWhitespace(trimmed, 2);
        String keyword = cmd.get(0).toLowerCase(Locale.ROOT);
        List<String> flags = new ArrayList<>();
        String rest = cmd.size() == 2 ? Chars.trim(NodeArgs.extractFlags(cmd.get(1), escape, flags)) : "";
        Directives d = new Directives(escape, syntax, check);
        NodeArgs.Parsed parsed = NodeArgs.parse(keyword, rest, d, range, this::parseLine);
        return new Node(keyword, line, flags, parsed.args(), parsed.inner(), List.of(), parsed.json(), range);
    }

    private Node readHeredocs(Node node, int startLine, int column) {
        List<Heredoc> docs = Heredocs.fromLine(node.original());
        if (docs.isEmpty()) {
            return node;
        }
        List<Heredoc> filled = new ArrayList<>();
        for (Heredoc doc : docs) {
            StringBuilder content = new StringBuilder();
            boolean terminated = false;
            while (next < lines.length) {
                String l = lines[next++];
                String candidate = doc.chomp() ? stripLeadingTabs(l) : l;
                if (candidate.equals(doc.name())) {
                    terminated = true;
                    break;
                }
                content.append(doc.chomp() ? stripLeadingTabs(l) : l).append('\n');
            }
            if (!terminated) {
                throw new DockerfileException(new SourceRange(file, startLine, Math.max(startLine, next), column),
                        "unterminated heredoc `<<" + doc.name() + "`: no line `" + doc.name() + "` closes it");
            }
            filled.add(doc.withContent(content.toString()));
        }
        SourceRange range = new SourceRange(file, startLine, next, column);
        Node inner = node.inner() == null ? null : node.inner().withHeredocs(filled).withRange(range);
        return node.withHeredocs(filled).withInner(inner).withRange(range);
    }

    private static String stripLeadingTabs(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\t') {
            i++;
        }
        return s.substring(i);
    }

    /** Appends {@code l} without a trailing continuation; true when the instruction ends here. */
    private boolean appendTrimmed(StringBuilder line, String l) {
        int e = l.length();
        while (e > 0 && (l.charAt(e - 1) == ' ' || l.charAt(e - 1) == '\t')) {
            e--;
        }
        int escapes = 0;
        while (e - escapes > 0 && l.charAt(e - escapes - 1) == escape) {
            escapes++;
        }
        if (escapes % 2 == 1) {
            line.append(l, 0, e - 1);
            return false;
        }
        line.append(l);
        return true;
    }

    private static boolean isComment(String l) {
        return Chars.trimLeft(l).startsWith("#");
    }

    private void scanDirective(String l, int lineNo) {
        if (directivesDone) {
            return;
        }
        Matcher m = DIRECTIVE.matcher(l);
        if (!m.matches()) {
            directivesDone = true;
            return;
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        String value = m.group(2);
        SourceRange at = new SourceRange(file, lineNo, lineNo, 1);
        switch (name) {
            case "escape" -> {
                if (!value.equals("`") && !value.equals("\\")) {
                    throw new DockerfileException(at, "invalid escape token `" + value
                            + "`: the escape directive takes ` or \\");
                }
                if (escapeSeen) {
                    throw new DockerfileException(at, "only one escape parser directive can be used");
                }
                escapeSeen = true;
                escape = value.charAt(0);
            }
            case "syntax" -> {
                if (syntax != null) {
                    throw new DockerfileException(at, "only one syntax parser directive can be used");
                }
                syntax = value;
                warnings.add(new DockerfileWarning(at, "syntax directive `" + value
                        + "` noted and ignored: kiln has one built-in frontend"));
            }
            case "check" -> {
                if (check != null) {
                    throw new DockerfileException(at, "only one check parser directive can be used");
                }
                check = value;
            }
            default -> directivesDone = true;
        }
    }
}
