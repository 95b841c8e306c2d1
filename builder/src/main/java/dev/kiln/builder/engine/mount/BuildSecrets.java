package dev.kiln.builder.engine.mount;

import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the user forwards to {@code RUN --mount=type=secret} and {@code type=ssh}: secrets by id
 * ({@code --secret id=ID,src=FILE} or {@code env=VAR}) and SSH agent sockets by id
 * ({@code --ssh default[=SOCKET]}). Values are read only when a RUN needs them and never kept.
 */
public final class BuildSecrets {
    /** No secrets and no agents. */
    public static final BuildSecrets NONE = new BuildSecrets(Map.of(), Map.of(), System::getenv);

    /** Where one secret's value comes from: a file or an environment variable of kiln. */
    public record Source(String id, Path file, String env) {
        public Source {
            Objects.requireNonNull(id, "id");
            if ((file == null) == (env == null)) {
                throw new IllegalArgumentException("a secret comes from a file or an environment variable");
            }
        }
    }

    private final Map<String, Source> secrets;
    private final Map<String, Path> agents;
    private final Function<String, String> environment;

    BuildSecrets(Map<String, Source> secrets, Map<String, Path> agents, Function<String, String> environment) {
        this.secrets = Map.copyOf(secrets);
        this.agents = Map.copyOf(agents);
        this.environment = environment;
    }

    public static BuildSecrets of(Map<String, Source> secrets, Map<String, Path> agents) {
        return new BuildSecrets(secrets, agents, System::getenv);
    }

    /**
     * Parses docker's {@code --secret} value: {@code id=ID[,src|source=FILE][,env=VAR][,type=file|env]}.
     * With only an id, the environment variable of that name is used when set, else the file of that name.
     */
    public static Source parseSecret(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new KilnException("--secret '" + spec + "': '" + field + "' is not KEY=VALUE",
                        "use --secret id=NAME,src=FILE or --secret id=NAME,env=VARIABLE", null);
            }
            String key = field.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
            if (!key.matches("id|src|source|env|type")) {
                throw new KilnException("--secret '" + spec + "': unknown key '" + key + "'",
                        "known keys: id, src, source, env, type", null);
            }
            fields.put(key.equals("source") ? "src" : key, field.substring(eq + 1));
        }
        String id = fields.get("id");
        String type = fields.get("type");
        String src = fields.get("src");
        String env = fields.get("env");
        if (type != null && !type.equals("file") && !type.equals("env")) {
            throw new KilnException("--secret '" + spec + "': type must be file or env, not '" + type + "'");
        }
        if ("env".equals(type) && env == null) {
            env = src != null ? src : id;
            src = null;
        }
        if (id == null) {
            id = src != null ? Path.of(src).getFileName().toString() : env;
        }
        if (id == null || id.isEmpty()) {
            throw new KilnException("--secret '" + spec + "' needs an id", "use --secret id=NAME,src=FILE", null);
        }
        if (src != null && env != null) {
            throw new KilnException("--secret '" + spec + "': give src or env, not both");
        }
        if (src == null && env == null) {
            if ("file".equals(type) || System.getenv(id) == null) {
                src = id;
            } else {
                env = id;
            }
        }
        return new Source(id, src == null ? null : Path.of(src).toAbsolutePath(), env);
    }

    /**
     * Parses docker's {@code --ssh} value: {@code default} (the socket in {@code SSH_AUTH_SOCK}) or
     * {@code ID=SOCKET}. Key files are refused: kiln forwards agent sockets only.
     */
    public static Map.Entry<String, Path> parseSsh(String spec, Function<String, String> environment) {
        int eq = spec.indexOf('=');
        String id = eq < 0 ? spec : spec.substring(0, eq);
        String path = eq < 0 ? null : spec.substring(eq + 1);
        if (id.isEmpty()) {
            throw new KilnException("--ssh '" + spec + "' needs an id", "use --ssh default or --ssh ID=SOCKET", null);
        }
        if (path == null || path.isEmpty()) {
            path = environment.apply("SSH_AUTH_SOCK");
            if (path == null || path.isEmpty()) {
                throw new KilnException("--ssh " + id + ": SSH_AUTH_SOCK is not set",
                        "start an agent (eval $(ssh-agent); ssh-add) or give the socket: --ssh " + id + "=SOCKET", null);
            }
        }
        if (path.contains(",")) {
            throw new KilnException("--ssh '" + spec + "': only one agent socket per id is supported",
                    "kiln forwards SSH agent sockets, not key files", null);
        }
        Path socket = Path.of(path).toAbsolutePath();
        if (Files.isRegularFile(socket)) {
            throw new KilnException("--ssh " + id + "=" + path + " is a file, not an agent socket",
                    "kiln forwards SSH agent sockets only: load the key into ssh-agent and use --ssh " + id, null);
        }
        return Map.entry(id, socket);
    }

    /** The value of secret {@code id}, read now; empty when it was not given. */
    Optional<byte[]> secret(String id) {
        Source s = secrets.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (s.env() != null) {
            String v = environment.apply(s.env());
            if (v == null) {
                throw new KilnException("secret " + id + ": environment variable " + s.env() + " is not set");
            }
            return Optional.of(v.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return Optional.of(Files.readAllBytes(s.file()));
        } catch (IOException e) {
            throw new KilnException("secret " + id + ": cannot read " + s.file() + ": " + e.getMessage(), e);
        }
    }

    /** The agent socket forwarded as {@code id}, if any. */
    Optional<Path> agent(String id) {
        return Optional.ofNullable(agents.get(id));
    }
}
