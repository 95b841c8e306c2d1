package dev.kiln.builder.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares kiln's image config with buildah's field by field: the runtime config's fields (maps
 * key by key), author, platform, layer count, and the history aligned by instruction. A field
 * missing, null or empty counts as not set (buildah writes {@code "User": ""}, kiln nothing).
 *
 * <p>History texts differ in format by design (buildah writes {@code /bin/sh -c #(nop) ENV …},
 * kiln BuildKit's {@code ENV …} and {@code RUN … # buildkit}), so entries are aligned by their
 * instruction keyword; a RUN's command text (with its {@code |N ARG=…} prefix) and every
 * {@code empty_layer} flag are compared exactly, and a format difference is one key.
 */
final class ConfigComparator {
    static final List<String> FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "StopSignal",
            "Healthcheck", "Shell", "OnBuild", "ArgsEscaped");
    static final List<String> MAP_FIELDS = List.of("ExposedPorts", "Volumes", "Labels");
    private static final String NOP = "/bin/sh -c #(nop) ";

    private ConfigComparator() {}

    static List<Difference> compare(JsonNode kiln, JsonNode buildah) {
        List<Difference> out = new ArrayList<>();
        JsonNode kc = kiln.path("config");
        JsonNode bc = buildah.path("config");
        for (String f : FIELDS) {
            value(out, "config " + f, kc.path(f), bc.path(f));
        }
        for (String f : MAP_FIELDS) {
            TreeSet<String> keys = new TreeSet<>();
            kc.path(f).fieldNames().forEachRemaining(keys::add);
            bc.path(f).fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                value(out, "config " + f + "[" + k + "]", kc.path(f).path(k), bc.path(f).path(k));
            }
        }
        for (String f : List.of("author", "architecture", "os")) {
            value(out, f, kiln.path(f), buildah.path(f));
        }
        int kl = kiln.path("rootfs").path("diff_ids").size();
        int bl = buildah.path("rootfs").path("diff_ids").size();
        if (kl != bl) {
            out.add(new Difference("layers count", "kiln " + kl + ", buildah " + bl));
        }
        history(out, kiln.path("history"), buildah.path("history"));
        return out;
    }

    private static void value(List<Difference> out, String key, JsonNode k, JsonNode b) {
        JsonNode kv = unset(k) ? NullNode.getInstance() : k;
        JsonNode bv = unset(b) ? NullNode.getInstance() : b;
        if (!kv.equals(bv)) {
            out.add(new Difference(key, "kiln " + kv + ", buildah " + bv));
        }
    }

    /** Missing, null, {@code ""}, {@code []} and <code>{}</code> all mean "not set" in an image config. */
    private static boolean unset(JsonNode n) {
        return n.isMissingNode() || n.isNull() || (n.isTextual() && n.asText().isEmpty())
                || (n.isContainerNode() && n.isEmpty());
    }

    /** The instruction a history entry records, in either builder's format. */
    static String instruction(String createdBy) {
        String s = createdBy.startsWith(NOP) ? createdBy.substring(NOP.length()) : createdBy;
        if (s.startsWith("|") || s.startsWith("/bin/sh -c ")) {
            return "RUN";
        }
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /** A RUN's command as both write it: kiln's without {@code RUN } and {@code  # buildkit}. */
    static String runText(String createdBy) {
        String s = createdBy.startsWith("RUN ") ? createdBy.substring(4) : createdBy;
        return s.endsWith(" # buildkit") ? s.substring(0, s.length() - " # buildkit".length()) : s;
    }

    private static void history(List<Difference> out, JsonNode kh, JsonNode bh) {
        if (kh.size() != bh.size()) {
            out.add(new Difference("history count", "kiln " + kh.size() + ", buildah " + bh.size()));
        }
        List<String> ki = instructions(kh);
        List<String> bi = instructions(bh);
        int[][] lcs = new int[ki.size() + 1][bi.size() + 1];
        for (int i = ki.size() - 1; i >= 0; i--) {
            for (int j = bi.size() - 1; j >= 0; j--) {
                lcs[i][j] = ki.get(i).equals(bi.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        boolean formatDiffers = false;
        int i = 0;
        int j = 0;
        while (i < ki.size() || j < bi.size()) {
            if (i < ki.size() && j < bi.size() && ki.get(i).equals(bi.get(j))) {
                formatDiffers |= pair(out, i, kh.get(i), bh.get(j));
                i++;
                j++;
            } else if (j >= bi.size() || (i < ki.size() && lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.add(new Difference("history[" + i + "] " + ki.get(i) + " only-in-kiln", createdBy(kh.get(i))));
                i++;
            } else {
                out.add(new Difference("history[" + j + "] " + bi.get(j) + " only-in-buildah",
                        createdBy(bh.get(j))));
                j++;
            }
        }
        if (formatDiffers) {
            out.add(new Difference("history created_by format", "the texts differ beyond their instruction"));
        }
    }

    /** Compares one aligned pair; true when only the created_by format differs. */
    private static boolean pair(List<Difference> out, int index, JsonNode k, JsonNode b) {
        String kc = createdBy(k);
        String bc = createdBy(b);
        String prefix = "history[" + index + "] ";
        if (k.path("empty_layer").asBoolean(false) != b.path("empty_layer").asBoolean(false)) {
            out.add(new Difference(prefix + instruction(kc) + " empty_layer",
                    "kiln " + k.path("empty_layer").asBoolean(false) + ", buildah "
                            + b.path("empty_layer").asBoolean(false) + " (" + kc + ")"));
        }
        if (instruction(kc).equals("RUN") && !runText(kc).equals(runText(bc))) {
            out.add(new Difference(prefix + "RUN text", "kiln " + kc + ", buildah " + bc));
            return false;
        }
        return !Objects.equals(kc, bc);
    }

    private static List<String> instructions(JsonNode history) {
        List<String> out = new ArrayList<>();
        history.forEach(h -> out.add(instruction(createdBy(h))));
        return out;
    }

    private static String createdBy(JsonNode h) {
        JsonNode c = h == null ? MissingNode.getInstance() : h.path("created_by");
        return c.asText("");
    }
}
