package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code RUN --mount=...}: {@code type=bind} (default), {@code cache}, {@code tmpfs},
 * {@code secret} or {@code ssh}, with its options. Unset strings are null; {@code target} is
 * filled with the documented default for secret and ssh mounts, {@code id} defaults to the target
 * for cache mounts.
 */
public record RunMount(
        Type type,
        String target,
        String source,
        String from,
        boolean readOnly,
        String id,
        Sharing sharing,
        Integer mode,
        Integer uid,
        Integer gid,
        boolean required,
        String env,
        String size) {

    public enum Type { BIND, CACHE, TMPFS, SECRET, SSH }

    /** Cache mount sharing between concurrent builds. */
    public enum Sharing { SHARED, PRIVATE, LOCKED }

    public Optional<String> fromStage() {
        return Optional.ofNullable(from);
    }

    RunMount expand(WordExpander x) {
        return new RunMount(type, ex(x, target), ex(x, source), ex(x, from), readOnly, ex(x, id), sharing, mode, uid,
                gid, required, ex(x, env), ex(x, size));
    }

    private static String ex(WordExpander x, String s) {
        return s == null ? null : x.word(s);
    }

    /**
     * Parses the CSV value of one {@code --mount} flag.
     *
     * @throws DockerfileException naming the bad field
     */
    static RunMount parse(String value, SourceRange at) {
        Type type = Type.BIND;
        String target = null;
        String source = null;
        String from = null;
        Boolean ro = null;
        String id = null;
        Sharing sharing = null;
        Integer mode = null;
        Integer uid = null;
        Integer gid = null;
        Boolean required = null;
        String env = null;
        String size = null;
        for (String field : csv(value, at)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String val = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = enumValue(Type.class, need(key, val, at), "type", at);
                case "target", "dst", "destination" -> target = need(key, val, at);
                case "source", "src" -> source = need(key, val, at);
                case "from" -> from = need(key, val, at);
                case "readonly", "ro" -> ro = bool(key, val, at);
                case "readwrite", "rw" -> ro = !bool(key, val, at);
                case "id" -> id = need(key, val, at);
                case "sharing" -> sharing = enumValue(Sharing.class, need(key, val, at), "sharing", at);
                case "mode" -> mode = number(key, need(key, val, at), 8, at);
                case "uid" -> uid = number(key, need(key, val, at), 10, at);
                case "gid" -> gid = number(key, need(key, val, at), 10, at);
                case "required" -> required = bool(key, val, at);
                case "env" -> env = need(key, val, at);
                case "size" -> size = need(key, val, at);
                default -> throw new DockerfileException(at, "unknown key `" + key + "` in RUN --mount=" + value,
                        Suggest.closest(key, List.of("type", "target", "source", "from", "readonly", "rw", "id",
                                "sharing", "mode", "uid", "gid", "required", "env", "size"))
                                .map(s -> "did you mean `" + s + "`?").orElse(null));
            }
        }
        String where = " in RUN --mount=" + value;
        String typeName = type.name().toLowerCase(Locale.ROOT);
        if (required != null && type != Type.SECRET && type != Type.SSH) {
            throw new DockerfileException(at, "`required` is not allowed for type=" + typeName + " mounts" + where);
        }
        if (size != null && type != Type.TMPFS) {
            throw new DockerfileException(at, "`size` is not allowed for type=" + typeName + " mounts" + where);
        }
        if (size != null) {
            bytes(size, at);
        }
        if (sharing != null && type != Type.CACHE) {
            throw new DockerfileException(at, "`sharing` is not allowed for type=" + typeName + " mounts" + where);
        }
        if (env != null && type != Type.SECRET) {
            throw new DockerfileException(at, "`env` is not allowed for type=" + typeName + " mounts" + where);
        }
        if ((mode != null || uid != null || gid != null) && (type == Type.BIND || type == Type.TMPFS)) {
            throw new DockerfileException(at, (mode != null ? "`mode`" : uid != null ? "`uid`" : "`gid`")
                    + " is not allowed for type=" + typeName + " mounts" + where);
        }
        if (from != null && (type == Type.TMPFS || type == Type.SECRET || type == Type.SSH)) {
            throw new DockerfileException(at, "`from` is not allowed for type=" + typeName + " mounts" + where);
        }
        switch (type) {
            case BIND, CACHE, TMPFS -> {
                if (target == null) {
                    throw new DockerfileException(at, "RUN --mount=" + value + " needs a target",
                            "add target=/path/in/container");
                }
            }
            case SECRET -> {
                if (source != null && id != null) {
                    throw new DockerfileException(at, "a secret mount takes `id` or `source`, not both" + where);
                }
                if (id == null) {
                    id = source;
                }
                if (id == null && target == null) {
                    throw new DockerfileException(at, "RUN --mount=" + value + " needs an id or a target",
                            "add id=NAME and pass the secret with --secret id=NAME,src=FILE");
                }
                if (id == null) {
                    id = target.substring(target.lastIndexOf('/') + 1);
                }
                source = null;
                if (target == null && env == null) {
                    target = "/run/secrets/" + id.substring(id.lastIndexOf('/') + 1);
                }
                if (mode == null) {
                    mode = 0400;
                }
            }
            case SSH -> {
                if (id == null) {
                    id = "default";
                }
                if (target == null) {
                    target = "/run/buildkit/ssh_agent.0";
                }
                if (mode == null) {
                    mode = 0600;
                }
            }
            default -> throw new IllegalStateException();
        }
        if (type == Type.CACHE && id == null) {
            id = target;
        }
        boolean readOnly = ro != null ? ro : type == Type.BIND || type == Type.SECRET || type == Type.SSH;
        return new RunMount(type, target, source, from, readOnly, id,
                sharing == null ? Sharing.SHARED : sharing, mode, uid, gid, required != null && required, env, size);
    }

    /**
     * A size as BuildKit's {@code size=} takes it (docker's RAMInBytes): a number with an optional
     * binary unit {@code b k m g t p} (with or without a trailing {@code b}/{@code ib}).
     */
    public static long bytes(String size, SourceRange at) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?i)^\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?\\s*$").matcher(size);
        if (!m.matches()) {
            throw new DockerfileException(at, "invalid size `" + size + "` in RUN --mount",
                    "use a number of bytes or a unit: 64m, 1g");
        }
        int power = "kmgtp".indexOf(Character.toLowerCase(m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0))) + 1;
        return (long) (Double.parseDouble(m.group(1)) * Math.pow(1024, power));
    }

    private static String need(String key, String val, SourceRange at) {
        if (val == null) {
            throw new DockerfileException(at, "RUN --mount option `" + key + "` needs a value (" + key + "=...)");
        }
        return val;
    }

    private static boolean bool(String key, String val, SourceRange at) {
        if (val == null || val.equalsIgnoreCase("true") || val.equals("1")) {
            return true;
        }
        if (val.equalsIgnoreCase("false") || val.equals("0")) {
            return false;
        }
        throw new DockerfileException(at, "RUN --mount option `" + key + "` takes true or false, not `" + val + "`");
    }

    private static Integer number(String key, String val, int radix, SourceRange at) {
        try {
            return Integer.parseInt(val, radix);
        } catch (NumberFormatException e) {
            throw new DockerfileException(at, "RUN --mount option `" + key + "` takes a number, not `" + val + "`");
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String val, String what, SourceRange at) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(val)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new DockerfileException(at, "unknown mount " + what + " `" + val + "`; expected one of " + names);
    }

    /** Splits a CSV record (commas, double quotes with {@code ""} escapes). */
    static List<String> csv(String value, SourceRange at) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new DockerfileException(at, "unterminated quote in RUN --mount=" + value);
        }
        out.add(cur.toString());
        out.removeIf(String::isBlank);
        return out;
    }

}
