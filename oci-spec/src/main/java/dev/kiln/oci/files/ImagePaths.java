package dev.kiln.oci.files;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Slash-separated paths inside an image (never the host's): the one place they are cleaned, as
 * Go's {@code path.Clean} does and so as Docker and BuildKit clean WORKDIR, COPY destinations,
 * mount targets and ignore patterns.
 */
public final class ImagePaths {
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
        Deque<String> out = new ArrayDeque<>();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.addLast("..");
                }
                continue;
            }
            out.addLast(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** {@code path} taken relative to {@code base} (the root when null) unless absolute; always absolute and clean. */
    public static String resolve(String base, String path) {
        return clean(path.startsWith("/") ? path : (base == null ? "/" : base) + "/" + path);
    }

    /** The path cleaned as an absolute one, without its leading slash ({@code ""} for the root). */
    public static String relative(String path) {
        return clean("/" + path).substring(1);
    }
}
