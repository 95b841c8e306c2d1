package dev.kiln.builder.dockerfile;

import java.util.List;

/** The generic parse of one Dockerfile: its directives, its nodes in file order, and warnings. */
public record ParsedDockerfile(String file, Directives directives, List<Node> nodes, List<DockerfileWarning> warnings) {

    public ParsedDockerfile {
        nodes = List.copyOf(nodes);
        warnings = List.copyOf(warnings);
    }

    /** All nodes in BuildKit's dump format, one per line, each ending in a newline. */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append(n.dump()).append('\n');
        }
        return sb.toString();
    }

    /** The span from the first instruction's first line to the last instruction's last line. */
    public SourceRange range() {
        return new SourceRange(file, nodes.get(0).range().startLine(),
                nodes.get(nodes.size() - 1).range().endLine(), 1);
    }
}
