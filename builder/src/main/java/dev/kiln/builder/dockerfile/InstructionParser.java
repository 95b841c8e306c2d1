package dev.kiln.builder.dockerfile;

import dev.kiln.builder.dockerfile.Flags.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Generic {@link Node}s to typed {@link Instruction}s, checking arguments and flags. */
public final class InstructionParser {
    private InstructionParser() {}

    /** Every instruction keyword kiln knows, upper-case. */
    public static final Set<String> KEYWORDS = Set.of("FROM", "RUN", "CMD", "ENTRYPOINT", "SHELL", "LABEL",
            "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD",
            "STOPSIGNAL", "HEALTHCHECK");

    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
    private static final Map<String, Kind> NONE = Map.of();

    /**
     * Types one node.
     *
     * @param warn receives warnings (deprecated forms)
     * @throws DockerfileException with the node's location
     */
    public static Instruction parse(Node node, Consumer<DockerfileWarning> warn) {
        SourceRange at = node.range();
        String text = Chars.trim(node.original());
        List<String> a = node.args();
        switch (node.keyword()) {
            case "from": {
                Flags f = Flags.parse(node, Map.of("platform", Kind.STRING));
                if (a.size() != 1 && !(a.size() == 3 && a.get(1).equalsIgnoreCase("as"))) {
                    throw new DockerfileException(at, "FROM requires either one or three arguments (FROM image [AS name]), got `"
                            + String.join(" ", a) + "`");
                }
                String name = null;
                if (a.size() == 3) {
                    name = a.get(2).toLowerCase(Locale.ROOT);
                    if (!STAGE_NAME.matcher(name).matches()) {
                        throw new DockerfileException(at, "invalid stage name `" + a.get(2)
                                + "`: it must start with a letter and hold only letters, digits, '-', '_' and '.'");
                    }
                }
                return new FromInstruction(at, text, a.get(0), name, f.string("platform"));
            }
            case "run": {
                Flags f = Flags.parse(node, Map.of("mount", Kind.STRINGS, "network", Kind.STRING,
                        "security", Kind.STRING));
                List<RunMount> mounts = new ArrayList<>();
                for (String m : f.strings("mount")) {
                    mounts.add(RunMount.parse(m, Flags.flagRange(node, "--mount")));
                }
                RunInstruction.Network net = f.string("network") == null ? null
                        : choice(RunInstruction.Network.class, f.string("network"), "RUN --network", node);
                RunInstruction.Security sec = f.string("security") == null ? null
                        : choice(RunInstruction.Security.class, f.string("security"), "RUN --security", node);
                return new RunInstruction(at, text, command(node, "RUN"), node.heredocs(), mounts, net, sec);
            }
            case "cmd":
                Flags.parse(node, NONE);
                return new CmdInstruction(at, text, commandOrEmpty(node));
            case "entrypoint":
                Flags.parse(node, NONE);
                return new EntrypointInstruction(at, text, commandOrEmpty(node));
            case "shell":
                Flags.parse(node, NONE);
                if (!node.json()) {
                    throw new DockerfileException(at, "SHELL requires the arguments in JSON form, e.g. "
                            + "SHELL [\"/bin/bash\", \"-c\"], got `" + String.join(" ", a) + "`");
                }
                if (a.isEmpty()) {
                    throw new DockerfileException(at, "SHELL requires at least one argument");
                }
                return new ShellInstruction(at, text, a);
            case "label":
                Flags.parse(node, NONE);
                return new LabelInstruction(at, text, pairs(node, "LABEL"));
            case "env":
                Flags.parse(node, NONE);
                return new EnvInstruction(at, text, pairs(node, "ENV"));
            case "maintainer":
                Flags.parse(node, NONE);
                warn.accept(new DockerfileWarning(at, "MAINTAINER is deprecated; use LABEL maintainer=\""
                        + one(node, "MAINTAINER") + "\""));
                return new MaintainerInstruction(at, text, one(node, "MAINTAINER"));
            case "expose": {
                Flags.parse(node, NONE);
                atLeast(node, "EXPOSE", 1);
                ExposeInstruction e = new ExposeInstruction(at, text, a);
                for (String p : a) {
                    if (!p.contains("$")) {
                        ExposeInstruction.parse(p, at);
                    }
                }
                return e;
            }
            case "add": {
                Flags f = Flags.parse(node, Map.of("chown", Kind.STRING, "chmod", Kind.STRING, "link", Kind.BOOL,
                        "checksum", Kind.STRING, "keep-git-dir", Kind.BOOL, "exclude", Kind.STRINGS,
                        "unpack", Kind.BOOL));
                return new AddInstruction(at, text, files(node, "ADD"), f.string("chown"), f.string("chmod"),
                        f.bool("link"), f.string("checksum"), f.bool("keep-git-dir"), f.strings("exclude"),
                        f.boolOrNull("unpack"));
            }
            case "copy": {
                Flags f = Flags.parse(node, Map.of("from", Kind.STRING, "chown", Kind.STRING, "chmod", Kind.STRING,
                        "link", Kind.BOOL, "parents", Kind.BOOL, "exclude", Kind.STRINGS));
                return new CopyInstruction(at, text, files(node, "COPY"), f.string("from"), f.string("chown"),
                        f.string("chmod"), f.bool("link"), f.bool("parents"), f.strings("exclude"));
            }
            case "volume":
                Flags.parse(node, NONE);
                atLeast(node, "VOLUME", 1);
                for (String v : a) {
                    if (v.isBlank()) {
                        throw new DockerfileException(at, "VOLUME paths cannot be empty strings");
                    }
                }
                return new VolumeInstruction(at, text, a);
            case "user":
                Flags.parse(node, NONE);
                return new UserInstruction(at, text, one(node, "USER"));
            case "workdir":
                Flags.parse(node, NONE);
                return new WorkdirInstruction(at, text, one(node, "WORKDIR"));
            case "stopsignal":
                Flags.parse(node, NONE);
                return new StopSignalInstruction(at, text, one(node, "STOPSIGNAL"));
            case "arg":
                Flags.parse(node, NONE);
                return arg(node);
            case "onbuild":
                return onbuild(node, warn);
            case "healthcheck":
                return HealthcheckParser.parse(node);
            default: {
                String word = node.original().strip().split("\\s+", 2)[0];
                String hint = Suggest.closest(word, KEYWORDS).map(s -> "did you mean `" + s + "`?").orElse(null);
                String msg = "unknown instruction `" + word + "`" + (hint == null ? "" : " — " + hint);
                throw new DockerfileException(at, msg, hint == null
                        ? "instructions are " + String.join(", ", KEYWORDS.stream().sorted().toList()) : null);
            }
        }
    }

    private static Instruction arg(Node node) {
        atLeast(node, "ARG", 1);
        List<ArgInstruction.Declaration> decls = new ArrayList<>();
        for (String w : node.args()) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (name.isEmpty()) {
                throw new DockerfileException(node.range(), "ARG names can not be blank: `" + w + "`");
            }
            decls.add(new ArgInstruction.Declaration(name, eq < 0 ? null : w.substring(eq + 1)));
        }
        return new ArgInstruction(node.range(), Chars.trim(node.original()), decls);
    }

    private static Instruction onbuild(Node node, Consumer<DockerfileWarning> warn) {
        Flags.parse(node, NONE);
        if (node.inner() == null) {
            throw new DockerfileException(node.range(), "ONBUILD requires at least one argument");
        }
        String kw = node.inner().keyword();
        if (kw.equals("onbuild")) {
            throw new DockerfileException(node.range(), "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        }
        if (kw.equals("from") || kw.equals("maintainer")) {
            throw new DockerfileException(node.range(), kw.toUpperCase(Locale.ROOT)
                    + " isn't allowed as an ONBUILD trigger");
        }
        Instruction inner = parse(node.inner(), warn);
        String trigger = Chars.trim(node.inner().original());
        return new OnbuildInstruction(node.range(), Chars.trim(node.original()), trigger, inner);
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String value, String what, Node node) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        throw new DockerfileException(Flags.flagRange(node, what.substring(what.indexOf("--"))),
                "invalid value `" + value + "` for " + what + "; expected one of " + names);
    }

    static Command command(Node node, String instr) {
        if (node.args().isEmpty()) {
            throw new DockerfileException(node.range(), instr + " requires at least one argument");
        }
        return node.json() ? Command.exec(node.args()) : Command.shell(node.args().get(0));
    }

    private static Command commandOrEmpty(Node node) {
        if (node.args().isEmpty()) {
            return Command.exec(List.of());
        }
        return node.json() ? Command.exec(node.args()) : Command.shell(node.args().get(0));
    }

    private static List<KeyValue> pairs(Node node, String instr) {
        List<String> a = node.args();
        if (a.isEmpty()) {
            throw new DockerfileException(node.range(), instr + " requires at least one argument");
        }
        List<KeyValue> out = new ArrayList<>();
        for (int i = 0; i + 2 < a.size(); i += 3) {
            if (a.get(i).isEmpty()) {
                throw new DockerfileException(node.range(), instr + " names can not be blank");
            }
            out.add(new KeyValue(a.get(i), a.get(i + 1), a.get(i + 2).isEmpty()));
        }
        return out;
    }

    private static SourcesAndDest files(Node node, String instr) {
        List<String> a = node.args();
        if (a.size() < 2) {
            throw new DockerfileException(node.range(), instr + " requires at least two arguments (source and "
                    + "destination), got `" + String.join(" ", a) + "`");
        }
        return new SourcesAndDest(a.subList(0, a.size() - 1), a.get(a.size() - 1), node.heredocs());
    }

    private static String one(Node node, String instr) {
        if (node.args().size() != 1) {
            throw new DockerfileException(node.range(), instr + " requires exactly one argument");
        }
        return node.args().get(0);
    }

    private static void atLeast(Node node, String instr, int n) {
        if (node.args().size() < n) {
            throw new DockerfileException(node.range(), instr + " requires at least " + n + " argument"
                    + (n == 1 ? "" : "s"));
        }
    }

    /** The HEALTHCHECK flags and forms. */
    private static final class HealthcheckParser {
        static Instruction parse(Node node) {
            Flags f = Flags.parse(node, Map.of("interval", Kind.STRING, "timeout", Kind.STRING,
                    "start-period", Kind.STRING, "start-interval", Kind.STRING, "retries", Kind.STRING));
            SourceRange at = node.range();
            String text = Chars.trim(node.original());
            List<String> a = node.args();
            if (a.isEmpty()) {
                throw new DockerfileException(at, "HEALTHCHECK requires at least one argument (CMD or NONE)");
            }
            String type = a.get(0).toUpperCase(Locale.ROOT);
            if (type.equals("NONE")) {
                if (a.size() > 1) {
                    throw new DockerfileException(at, "HEALTHCHECK NONE takes no arguments");
                }
                return new HealthcheckInstruction(at, text, null, null, null, null, null, null);
            }
            if (!type.equals("CMD")) {
                throw new DockerfileException(at, "unknown HEALTHCHECK type `" + a.get(0) + "`", "use CMD or NONE");
            }
            if (a.size() < 2) {
                throw new DockerfileException(at, "missing command after HEALTHCHECK CMD");
            }
            List<String> cmd = a.subList(1, a.size());
            Command test = node.json() ? Command.exec(cmd) : Command.shell(cmd.get(0));
            Integer retries = null;
            if (f.string("retries") != null) {
                try {
                    retries = Integer.parseInt(f.string("retries"));
                } catch (NumberFormatException e) {
                    throw new DockerfileException(Flags.flagRange(node, "--retries"),
                            "flag --retries of HEALTHCHECK takes a whole number, not `" + f.string("retries") + "`");
                }
                if (retries < 0) {
                    throw new DockerfileException(Flags.flagRange(node, "--retries"),
                            "flag --retries of HEALTHCHECK cannot be negative");
                }
            }
            return new HealthcheckInstruction(at, text, test, duration(node, f, "interval"),
                    duration(node, f, "timeout"), duration(node, f, "start-period"),
                    duration(node, f, "start-interval"), retries);
        }

        private static Duration duration(Node node, Flags f, String name) {
            String v = f.string(name);
            if (v == null) {
                return null;
            }
            Duration d = GoDuration.parse(v);
            SourceRange at = Flags.flagRange(node, "--" + name);
            if (d == null) {
                throw new DockerfileException(at, "flag --" + name + " of HEALTHCHECK takes a duration such as 30s "
                        + "or 1m30s, not `" + v + "`");
            }
            if (d.isNegative() || (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0)) {
                throw new DockerfileException(at, "flag --" + name + " of HEALTHCHECK cannot be less than 1ms: `"
                        + v + "`");
            }
            return d;
        }
    }
}
