package dev.kiln.builder.dockerfile;

import java.util.List;

/**
 * One instruction as the generic parser sees it, before any typing: the lower-case keyword, the
 * logical line it came from (continuations joined), its leading {@code --flags} (quotes removed),
 * its arguments split the way BuildKit splits them for that keyword, an inner node for ONBUILD,
 * its heredocs, whether the arguments came from a JSON array, and its source range.
 *
 * <p>For ENV and LABEL the arguments are (key, value, separator) triples; for HEALTHCHECK the first
 * argument is the type word ({@code CMD}, {@code NONE}).
 */
public record Node(
        String keyword,
        String original,
        List<String> flags,
        List<String> args,
        Node inner,
        List<Heredoc> heredocs,
        boolean json,
        SourceRange range) {

    public Node {
        flags = List.copyOf(flags);
        args = List.copyOf(args);
        heredocs = List.copyOf(heredocs);
    }

    Node withHeredocs(List<Heredoc> docs) {
        return new Node(keyword, original, flags, args, inner, docs, json, range);
    }

    Node withInner(Node n) {
        return new Node(keyword, original, flags, args, n, heredocs, json, range);
    }

    Node withRange(SourceRange r) {
        return new Node(keyword, original, flags, args, inner, heredocs, json, r);
    }

    /**
     * This node in BuildKit's {@code Node.Dump()} format, e.g. {@code (copy ["--from=a"] "x" "/y")},
     * the format of BuildKit's parser golden files.
     */
    public String dump() {
        StringBuilder sb = new StringBuilder("(").append(dumpInner()).append(')');
        return sb.toString();
    }

    private String dumpInner() {
        StringBuilder sb = new StringBuilder(keyword);
        if (!flags.isEmpty()) {
            sb.append(" [");
            for (int i = 0; i < flags.size(); i++) {
                sb.append(i == 0 ? "" : " ").append(GoQuote.quote(flags.get(i)));
            }
            sb.append(']');
        }
        if (inner != null) {
            sb.append(' ').append(inner.dump());
        }
        for (String arg : args) {
            sb.append(' ').append(GoQuote.quote(arg));
        }
        return sb.toString().strip();
    }
}
