package dev.kiln.builder.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Warnings about legal but risky Dockerfiles, after BuildKit's build checks: stage name and keyword
 * casing, shell-form CMD/ENTRYPOINT, legacy {@code ENV key value}, relative WORKDIR, reserved
 * stage names, variables in FROM that no global ARG declares, secrets in ARG or ENV names.
 */
final class Lints {
    private Lints() {}

    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|passwd|secret|token|apikey|api_key|private_key|credential).*");
    private static final Set<String> RESERVED_STAGE_NAMES = Set.of("scratch", "context");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

    private static String firstWord(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
            i++;
        }
        return text.substring(0, i);
    }

    static List<DockerfileWarning> check(List<Instruction> instructions) {
        List<DockerfileWarning> out = new ArrayList<>();
        Set<String> globalArgs = new HashSet<>(Map.of("TARGETPLATFORM", 0, "TARGETOS", 0, "TARGETARCH", 0,
                "TARGETVARIANT", 0, "BUILDPLATFORM", 0, "BUILDOS", 0, "BUILDARCH", 0, "BUILDVARIANT", 0).keySet());
        boolean inStage = false;
        boolean absoluteWorkdir = false;
        int upper = 0;
        int lower = 0;
        for (Instruction in : instructions) {
            String written = firstWord(in.text());
            if (written.equals(written.toUpperCase(Locale.ROOT))) {
                upper++;
            } else if (written.equals(written.toLowerCase(Locale.ROOT))) {
                lower++;
            }
            if (in instanceof FromInstruction f) {
                inStage = true;
                absoluteWorkdir = false;
                from(f, written, globalArgs, out);
            } else if (in instanceof ArgInstruction a) {
                for (ArgInstruction.Declaration d : a.args()) {
                    if (!inStage) {
                        globalArgs.add(d.name());
                    }
                    secret(in, "ARG", d.name(), out);
                }
            } else if (in instanceof EnvInstruction e) {
                for (KeyValue kv : e.vars()) {
                    secret(in, "ENV", kv.key(), out);
                }
                if (e.vars().size() == 1 && e.vars().get(0).legacy()) {
                    out.add(new DockerfileWarning(in.range(), "legacy \"ENV key value\" form: write \"ENV "
                            + e.vars().get(0).key() + "=...\" instead"));
                }
            } else if (in instanceof LabelInstruction l && l.labels().size() == 1 && l.labels().get(0).legacy()) {
                out.add(new DockerfileWarning(in.range(), "legacy \"LABEL key value\" form: write \"LABEL "
                        + l.labels().get(0).key() + "=...\" instead"));
            } else if (in instanceof CmdInstruction c && !c.command().execForm()) {
                out.add(jsonRecommended(in, "CMD"));
            } else if (in instanceof EntrypointInstruction e && !e.command().execForm()) {
                out.add(jsonRecommended(in, "ENTRYPOINT"));
            } else if (in instanceof WorkdirInstruction w) {
                boolean absolute = w.path().startsWith("/") || w.path().startsWith("$");
                if (!absolute && !absoluteWorkdir) {
                    out.add(new DockerfileWarning(in.range(), "relative WORKDIR `" + w.path()
                            + "` depends on the base image's working directory; use an absolute path"));
                }
                absoluteWorkdir |= absolute;
            }
        }
        if (upper > 0 && lower > 0) {
            out.add(new DockerfileWarning(null, "instruction keywords mix upper and lower case; "
                    + "use one casing (upper case is usual)"));
        }
        return out;
    }

    private static void from(FromInstruction f, String written, Set<String> globalArgs, List<DockerfileWarning> out) {
        String[] words = f.text().split("[ \t]+");
        for (int i = 1; i < words.length; i++) {
            if (words[i].equalsIgnoreCase("as")) {
                boolean fromUpper = written.equals(written.toUpperCase(Locale.ROOT));
                boolean asUpper = words[i].equals(words[i].toUpperCase(Locale.ROOT));
                if (fromUpper != asUpper) {
                    out.add(new DockerfileWarning(f.range(), "'" + words[i] + "' and '" + written
                            + "' keywords' casing do not match"));
                }
                if (i + 1 < words.length && !words[i + 1].equals(words[i + 1].toLowerCase(Locale.ROOT))) {
                    out.add(new DockerfileWarning(f.range(), "stage name '" + words[i + 1] + "' should be lower case"));
                }
            }
        }
        if (f.stageName() != null && RESERVED_STAGE_NAMES.contains(f.stageName())) {
            out.add(new DockerfileWarning(f.range(), "stage name '" + f.stageName() + "' is reserved"));
        }
        String refs = f.image() + " " + (f.platform() == null ? "" : f.platform());
        java.util.regex.Matcher m = VARIABLE.matcher(refs);
        while (m.find()) {
            if (!globalArgs.contains(m.group(1))) {
                out.add(new DockerfileWarning(f.range(), "FROM uses $" + m.group(1)
                        + ", which no ARG before the first FROM declares"));
            }
        }
    }

    private static void secret(Instruction in, String kind, String name, List<DockerfileWarning> out) {
        if (SECRET.matcher(name).matches()) {
            out.add(new DockerfileWarning(in.range(), kind + " `" + name + "` looks like a secret: ARG and ENV "
                    + "values are kept in the image; use RUN --mount=type=secret"));
        }
    }

    private static DockerfileWarning jsonRecommended(Instruction in, String kind) {
        return new DockerfileWarning(in.range(), "JSON arguments recommended for " + kind
                + " so that signals reach the process (" + kind + " [\"executable\", \"arg\"])");
    }
}
