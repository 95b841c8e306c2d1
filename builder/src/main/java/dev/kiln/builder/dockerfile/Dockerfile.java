package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed and typed Dockerfile: its directives, its instructions in file order (global ARGs
 * first, then each FROM and its stage's instructions), and the warnings found on the way. Stages
 * are formed by {@code dev.kiln.builder.plan}.
 */
public record Dockerfile(String file, Directives directives, List<Instruction> instructions,
        List<DockerfileWarning> warnings) {

    public Dockerfile {
        instructions = List.copyOf(instructions);
        warnings = List.copyOf(warnings);
    }

    /**
     * Parses and types {@code text}.
     *
     * @param file the name used in messages, e.g. {@code Dockerfile}
     * @throws DockerfileException with file:line:column at the first error
     */
    public static Dockerfile parse(String file, String text) {
        ParsedDockerfile parsed = DockerfileParser.parse(file, text);
        List<DockerfileWarning> warnings = new ArrayList<>(parsed.warnings());
        List<Instruction> out = new ArrayList<>();
        for (Node n : parsed.nodes()) {
            out.add(InstructionParser.parse(n, warnings::add));
        }
        warnings.addAll(Lints.check(out));
        return new Dockerfile(file, parsed.directives(), out, warnings);
    }

    /** A lexer using this file's escape character. */
    public ShellLex lexer() {
        return ShellLex.of(directives.escape());
    }
}
