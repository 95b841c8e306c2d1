package dev.kiln.builder.dockerfile;

import dev.kiln.oci.files.FileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists the build context as the ignore rules leave it. Excluded directories are skipped whole
 * unless a later {@code !} rule could re-include something inside them; such a directory is listed
 * only when something below it is. Symbolic links are listed, never followed. Paths are in
 * {@link FileNames} text form, so ignore rules match names that are not valid UTF-8 too.
 */
public final class ContextWalker {

    private final IgnoreMatcher matcher;

    public ContextWalker(IgnoreMatcher matcher) {
        this.matcher = matcher;
    }

    /** One path of the context, relative and slash-separated. */
    public record Entry(String path, boolean directory) {}

    /** Every included path under {@code root}, parents before children, siblings sorted by name. */
    public List<Entry> walk(Path root) {
        List<Entry> out = new ArrayList<>();
        List<String> pendingDirs = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String rel = relative(root, dir);
                    trimPending(rel);
                    if (matcher.excluded(rel)) {
                        if (!matcher.mayReincludeBelow(rel)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        pendingDirs.add(rel);
                        return FileVisitResult.CONTINUE;
                    }
                    flushPending(out, pendingDirs);
                    out.add(new Entry(rel, true));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String rel = relative(root, file);
                    trimPending(rel);
                    if (!matcher.excluded(rel)) {
                        flushPending(out, pendingDirs);
                        out.add(new Entry(rel, false));
                    }
                    return FileVisitResult.CONTINUE;
                }

                private void trimPending(String rel) {
                    pendingDirs.removeIf(d -> !rel.startsWith(d + "/"));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk build context " + root, e);
        }
        out.sort((a, b) -> a.path().compareTo(b.path()));
        return out;
    }

    private static void flushPending(List<Entry> out, List<String> pending) {
        for (String d : pending) {
            out.add(new Entry(d, true));
        }
        pending.clear();
    }

    private static String relative(Path root, Path p) {
        return FileNames.relative(root, p);
    }
}
