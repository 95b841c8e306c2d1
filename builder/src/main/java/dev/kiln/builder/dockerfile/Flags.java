package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --flags} of one instruction, checked against the flags that instruction takes: unknown
 * flags (with a suggestion), missing values, repeated single-valued flags and non-boolean values of
 * boolean flags are errors naming the flag and the instruction.
 */
final class Flags {

    enum Kind { BOOL, STRING, STRINGS }

    private final Map<String, String> single = new LinkedHashMap<>();
    private final Map<String, List<String>> multi = new LinkedHashMap<>();
    private final Map<String, Boolean> bools = new LinkedHashMap<>();

    private Flags() {}

    /** Parses {@code node}'s flags; {@code allowed} maps flag names (without --) to their kind. */
    static Flags parse(Node node, Map<String, Kind> allowed) {
        Flags f = new Flags();
        String instr = node.keyword().toUpperCase(java.util.Locale.ROOT);
        for (String raw : node.flags()) {
            SourceRange at = flagRange(node, raw);
            if (!raw.startsWith("--")) {
                throw new DockerfileException(at, "invalid flag `" + raw + "` for " + instr);
            }
            String body = raw.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            Kind kind = allowed.get(name);
            if (kind == null) {
                String hint = Suggest.closest(name, allowed.keySet()).map(s -> "did you mean --" + s + "?")
                        .orElse(allowed.isEmpty() ? instr + " takes no flags"
                                : instr + " takes " + String.join(", ", allowed.keySet().stream().map(k -> "--" + k).toList()));
                throw new DockerfileException(at, "unknown flag --" + name + " for " + instr, hint);
            }
            switch (kind) {
                case BOOL -> {
                    if (f.bools.containsKey(name)) {
                        throw new DockerfileException(at, "duplicate flag --" + name + " for " + instr);
                    }
                    if (value == null || value.equalsIgnoreCase("true")) {
                        f.bools.put(name, true);
                    } else if (value.equalsIgnoreCase("false")) {
                        f.bools.put(name, false);
                    } else {
                        throw new DockerfileException(at, "flag --" + name + " of " + instr
                                + " takes true or false, not `" + value + "`");
                    }
                }
                case STRING -> {
                    if (value == null) {
                        throw new DockerfileException(at, "flag --" + name + " of " + instr + " needs a value (--"
                                + name + "=...)");
                    }
                    if (f.single.containsKey(name)) {
                        throw new DockerfileException(at, "duplicate flag --" + name + " for " + instr);
                    }
                    f.single.put(name, value);
                }
                default -> {
                    if (value == null) {
                        throw new DockerfileException(at, "flag --" + name + " of " + instr + " needs a value (--"
                                + name + "=...)");
                    }
                    f.multi.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            }
        }
        return f;
    }

    /** The source range pointing at the flag's column when it can be found on the first line. */
    static SourceRange flagRange(Node node, String flag) {
        String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
        int idx = node.original().indexOf(name);
        return idx < 0 ? node.range() : node.range().withColumn(node.range().column() + idx);
    }

    String string(String name) {
        return single.get(name);
    }

    List<String> strings(String name) {
        return multi.getOrDefault(name, List.of());
    }

    boolean bool(String name) {
        return bools.getOrDefault(name, false);
    }

    Boolean boolOrNull(String name) {
        return bools.get(name);
    }
}
