package dev.kiln.builder.dockerfile;

import dev.kiln.oci.files.ImagePaths;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one {@code .dockerignore}: patterns in order, the last one that matches a path or
 * any of its parent directories wins. Build with {@link #parse(String, String)}.
 */
public final class IgnoreMatcher {

    private static final IgnoreMatcher EMPTY = new IgnoreMatcher(List.of());

    private final List<IgnorePattern> patterns;
    private final boolean hasExclusions;

    private IgnoreMatcher(List<IgnorePattern> patterns) {
        this.patterns = List.copyOf(patterns);
        this.hasExclusions = patterns.stream().anyMatch(IgnorePattern::exclusion);
    }

    /** A matcher that excludes nothing. */
    public static IgnoreMatcher empty() {
        return EMPTY;
    }

    /**
     * Reads ignore-file text: a leading BOM is dropped, lines starting with {@code #} are comments,
     * lines are trimmed, {@code !} re-includes, patterns are cleaned ({@code //}, {@code ./},
     * {@code ..}, trailing {@code /}) and lose a leading {@code /}.
     *
     * @param file the name used in error messages
     * @throws DockerfileException for a malformed pattern, naming file and line
     */
    public static IgnoreMatcher parse(String file, String text) {
        List<IgnorePattern> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.startsWith("#")) {
                continue;
            }
            String p = Chars.trim(line);
            if (p.isEmpty()) {
                continue;
            }
            SourceRange at = new SourceRange(file, i + 1, i + 1, 1);
            boolean invert = p.charAt(0) == '!';
            if (invert) {
                p = Chars.trim(p.substring(1));
            }
            if (!p.isEmpty()) {
                p = ImagePaths.clean(p);
                if (p.length() > 1 && p.charAt(0) == '/') {
                    p = p.substring(1);
                }
            }
            if (p.isEmpty()) {
                throw new DockerfileException(at, "illegal exclusion pattern: `!` needs a pattern after it");
            }
            p = ImagePaths.clean(p);
            String bad = GlobSyntax.check(p);
            if (bad != null) {
                throw new DockerfileException(at, "bad .dockerignore pattern `" + line.strip() + "`: " + bad);
            }
            out.add(new IgnorePattern(p, invert, at));
        }
        return out.isEmpty() ? EMPTY : new IgnoreMatcher(out);
    }

    /**
     * Compiles every pattern now, so that one that loads but cannot match (a class range with its
     * low end above its high end) fails before the build starts.
     */
    public IgnoreMatcher validate() {
        patterns.forEach(p -> p.matches(""));
        return this;
    }

    public List<IgnorePattern> patterns() {
        return patterns;
    }

    /** True when some {@code !} pattern exists. */
    public boolean hasExclusions() {
        return hasExclusions;
    }

    /**
     * Whether the clean, slash-separated, context-relative {@code path} is excluded from the build
     * context.
     *
     * @throws DockerfileException when a pattern that loaded fine cannot be matched (e.g. a class
     *     range whose low end is above its high end)
     */
    public boolean excluded(String path) {
        if (patterns.isEmpty() || path.equals(".") || path.isEmpty()) {
            return false;
        }
        int slash = path.lastIndexOf('/');
        String[] parents = slash < 0 ? new String[0] : path.substring(0, slash).split("/");
        boolean matched = false;
        for (IgnorePattern p : patterns) {
            if (p.exclusion() != matched) {
                continue;
            }
            boolean match = p.matches(path);
            if (!match && parents.length > 0) {
                StringBuilder prefix = new StringBuilder();
                for (String dir : parents) {
                    if (prefix.length() > 0) {
                        prefix.append('/');
                    }
                    prefix.append(dir);
                    if (p.matches(prefix.toString())) {
                        match = true;
                        break;
                    }
                }
            }
            if (match) {
                matched = !p.exclusion();
            }
        }
        return matched;
    }

    /**
     * Whether some {@code !} pattern could re-include a path below the excluded directory
     * {@code dir}; when false, a walker may skip the whole directory.
     */
    public boolean mayReincludeBelow(String dir) {
        if (!hasExclusions) {
            return false;
        }
        String[] dirParts = dir.split("/");
        for (IgnorePattern p : patterns) {
            if (!p.exclusion()) {
                continue;
            }
            String[] parts = p.pattern().split("/");
            boolean possible = true;
            for (int i = 0; i < Math.min(parts.length, dirParts.length); i++) {
                String seg = parts[i];
                if (seg.contains("**")) {
                    break;
                }
                if (GlobSyntax.hasMeta(seg)) {
                    continue;
                }
                if (!seg.equals(dirParts[i])) {
                    possible = false;
                    break;
                }
            }
            if (possible) {
                return true;
            }
        }
        return false;
    }
}
