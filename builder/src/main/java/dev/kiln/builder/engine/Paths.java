package dev.kiln.builder.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/** Slash-separated image paths, cleaned as Go's {@code path.Clean} does. */
final class Paths {
    private Paths() {}

    /** {@code path} taken relative to {@code base} unless absolute; always absolute and clean. */
    static String resolve(String base, String path) {
        return clean(path.startsWith("/") ? path : (base == null ? "/" : base) + "/" + path);
    }

    /** An absolute clean path: no {@code .}, {@code ..}, empty or trailing segments. */
    static String clean(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(seg);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** The clean path without its leading slash ({@code ""} for the root). */
    static String relative(String absolute) {
        return clean(absolute).substring(1);
    }
}
