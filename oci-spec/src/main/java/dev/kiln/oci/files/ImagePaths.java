package dev.kiln.oci.files;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Slash-separated paths inside an image (never the host's): the one place they are split and
 * cleaned. Two rules share one fold (empty and {@code .} parts dropped, {@code ..} taking back the
 * part before it) and differ only at the top: {@link #clean} is Go's {@code path.Clean}, as Docker
 * and BuildKit clean WORKDIR, COPY destinations, mount targets and ignore patterns ({@code ..}
 * above the root stays at the root); {@link #inside} reads a name that must stay inside a root (a
 * layer entry, an archive link, a build-context source) and refuses one whose {@code ..} climbs
 * above it. Checks of a name's bytes (NUL) and strict validators that refuse any unclean name are
 * the callers' (oci-spec {@code SafeRoot}, {@code ArchiveTar}).
 */
public final class ImagePaths {
    /** What a {@code ..} with nothing left to take back does. */
    private enum Above { STAY, KEEP, REFUSE }

    private ImagePaths() {}

    /**
     * Go's {@code path.Clean}: no {@code .} or empty segments, {@code ..} folded where it can be
     * ({@code ..} above the root is the root; a relative path keeps its leading {@code ..}s), no
     * trailing slash, and {@code "."} for nothing.
     */
    public static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        String joined = String.join("/", fold(path, rooted ? Above.STAY : Above.KEEP));
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /**
     * The components of {@code path} read inside a root it may not leave: a leading {@code /},
     * empty and {@code .} parts dropped, {@code ..} applied lexically; an empty list for the root
     * itself. Empty when a {@code ..} would climb above the root (where {@link #clean} stops).
     */
    public static Optional<List<String>> inside(String path) {
        Deque<String> parts = fold(path, Above.REFUSE);
        return parts == null ? Optional.empty() : Optional.of(List.copyOf(parts));
    }

    /** {@code path} taken relative to {@code base} (the root when null) unless absolute; always absolute and clean. */
    public static String resolve(String base, String path) {
        return clean(path.startsWith("/") ? path : (base == null ? "/" : base) + "/" + path);
    }

    /** The path cleaned as an absolute one, without its leading slash ({@code ""} for the root). */
    public static String relative(String path) {
        return clean("/" + path).substring(1);
    }

    /** The parts of {@code path} folded; null when a {@code ..} climbs above the start and {@code above} refuses. */
    private static Deque<String> fold(String path, Above above) {
        Deque<String> out = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.removeLast();
                } else if (above == Above.REFUSE) {
                    return null;
                } else if (above == Above.KEEP) {
                    out.addLast("..");
                }
                continue;
            }
            out.addLast(part);
        }
        return out;
    }
}
