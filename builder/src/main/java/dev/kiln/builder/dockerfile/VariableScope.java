package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ARG and ENV variables visible at one point of a Dockerfile, with BuildKit's rules:
 * <ul>
 *   <li>the global scope holds the ARGs declared before the first FROM plus the predefined platform
 *       ARGs ({@code TARGETPLATFORM}, {@code BUILDARCH}, ...); it expands FROM lines;</li>
 *   <li>a stage starts with its base's ENV and no ARGs; {@code ARG NAME} re-declares a global ARG
 *       (taking its global value) or a predefined one; {@code --build-arg} overrides any default;</li>
 *   <li>ENV shadows an ARG of the same name;</li>
 *   <li>proxy build-args ({@code HTTP_PROXY} ...) reach RUN without being declared and never enter
 *       the image history, declared or not (they often carry credentials).</li>
 * </ul>
 * The engine calls {@link #declare(ArgInstruction)} and {@link #setEnv(EnvInstruction)} as it
 * meets those instructions and expands the others with {@link #expander()}.
 */
public final class VariableScope {

    /** Platform ARGs BuildKit predefines. */
    public static final Set<String> PLATFORM_ARGS = Set.of("TARGETPLATFORM", "TARGETOS", "TARGETARCH",
            "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT");

    /** Proxy ARGs: usable without ARG, never written into history. */
    public static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final ShellLex lex;
    private final Map<String, String> buildArgs;
    private final Map<String, String> predefined;
    private final Map<String, String> globals;
    private final boolean stage;
    private final Map<String, String> args = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> consumed = new LinkedHashSet<>();
    private Map<String, String> expansionCache;

    private VariableScope(ShellLex lex, Map<String, String> buildArgs, Map<String, String> predefined,
            Map<String, String> globals, boolean stage) {
        this.lex = lex;
        this.stage = stage;
        this.buildArgs = Map.copyOf(buildArgs);
        this.predefined = Map.copyOf(predefined);
        this.globals = globals;
    }

    /**
     * The scope before the first FROM.
     *
     * @param buildArgs the user's {@code --build-arg}s
     * @param predefined values of the predefined platform ARGs
     * @param lex the lexer of the Dockerfile (its escape character)
     */
    public static VariableScope global(Map<String, String> buildArgs, Map<String, String> predefined, ShellLex lex) {
        VariableScope s = new VariableScope(lex, buildArgs, predefined, Map.of(), false);
        s.args.putAll(predefined);
        return s;
    }

    /** A fresh stage scope whose base image (or parent stage) had {@code baseEnv}. */
    public VariableScope stage(Map<String, String> baseEnv) {
        VariableScope s = new VariableScope(lex, buildArgs, predefined, Collections.unmodifiableMap(new LinkedHashMap<>(args)), true);
        s.env.putAll(baseEnv);
        return s;
    }

    /**
     * Applies an ARG instruction: in a stage the names are expanded too (BuildKit's ArgCommand
     * expands key and value; its global ARGs expand only values), defaults with what is visible
     * now. Returns the declarations as they took effect: expanded names and their values (null:
     * declared without one).
     */
    public List<ArgInstruction.Declaration> declare(ArgInstruction arg) {
        List<ArgInstruction.Declaration> out = new ArrayList<>();
        for (ArgInstruction.Declaration d : arg.args()) {
            String name = d.name();
            String value;
            try {
                if (stage) {
                    name = lex.word(name, expansionEnv());
                    if (name.isEmpty()) {
                        throw new DockerfileException(arg.range(), "ARG names can not be blank: `" + d.name()
                                + "` expands to nothing");
                    }
                }
                if (buildArgs.containsKey(name)) {
                    value = buildArgs.get(name);
                    consumed.add(name);
                } else if (d.defaultValue() != null) {
                    value = lex.word(d.defaultValue(), expansionEnv());
                } else if (globals.containsKey(name)) {
                    value = globals.get(name);
                } else {
                    value = predefined.get(name);
                }
            } catch (DockerfileException e) {
                throw e.at(arg.range());
            }
            expansionCache = null;
            args.remove(name);
            args.put(name, value); // null: declared without a value
            out.add(new ArgInstruction.Declaration(name, value));
        }
        return out;
    }

    /** Applies an ENV instruction (already expanded or not: it is expanded here with this scope). */
    public void setEnv(EnvInstruction raw) {
        EnvInstruction e;
        try {
            e = raw.expand(expander());
        } catch (DockerfileException ex) {
            throw ex.at(raw.range());
        }
        for (KeyValue kv : e.vars()) {
            env.put(kv.key(), kv.value());
        }
        expansionCache = null;
    }

    /** Variables for word expansion: ARGs overlaid by ENV (ENV shadows ARG). */
    public Map<String, String> expansionEnv() {
        if (expansionCache == null) {
            Map<String, String> m = withValues();
            m.putAll(env);
            expansionCache = Collections.unmodifiableMap(m);
        }
        return expansionCache;
    }

    /** An expander for this point of the file. */
    public WordExpander expander() {
        return lex.expander(expansionEnv());
    }

    /** The environment of a RUN here: ENV, ARGs with values, and proxy build-args. */
    public Map<String, String> runEnv() {
        Map<String, String> m = new LinkedHashMap<>();
        buildArgs.forEach((k, v) -> {
            if (PROXY_ARGS.contains(k)) {
                m.put(k, v);
            }
        });
        m.putAll(withValues());
        m.putAll(env);
        return m;
    }

    /**
     * The ARGs a RUN records in history ({@code |N k=v ...}), as BuildKit writes them: every ARG
     * declared in this stage in order, valued by a same-named ENV if one shadows it, else by its
     * value ({@code ""} when it has none). Proxy ARGs never appear, even when declared: proxy URLs
     * often carry credentials, and history is public.
     */
    public Map<String, String> historyArgs() {
        Map<String, String> m = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (!PROXY_ARGS.contains(k)) {
                m.put(k, env.containsKey(k) ? env.get(k) : v == null ? "" : v);
            }
        });
        return m;
    }

    private Map<String, String> withValues() {
        Map<String, String> m = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** ARGs declared in this scope (predefined ones too in the global scope); null values when unset. */
    public Map<String, String> args() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    public Map<String, String> env() {
        return Collections.unmodifiableMap(env);
    }

    /** The build-args some ARG of this scope took. */
    public Set<String> consumedBuildArgs() {
        return Collections.unmodifiableSet(consumed);
    }
}
