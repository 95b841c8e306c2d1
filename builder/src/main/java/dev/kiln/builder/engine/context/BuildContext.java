package dev.kiln.builder.engine.context;

import dev.kiln.builder.dockerfile.ContextWalker;
import dev.kiln.builder.dockerfile.IgnoreMatcher;
import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.files.FileNames;
import java.nio.file.Path;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where COPY and ADD read from: a directory and the ignore rules that decide which of its paths
 * exist for the build. The context of the build is listed once, lazily; an earlier stage's or an
 * image's root filesystem is a context without ignore rules, whose files keep their owners.
 */
public final class BuildContext {
    private final Path dir;
    private final IgnoreMatcher ignore;
    private final LayerFiles.View owners;
    private NavigableMap<String, Boolean> included;

    public BuildContext(Path dir, IgnoreMatcher ignore) {
        this(dir, ignore, null);
    }

    /** A stage's or image's root filesystem in {@code dir}, whose owners {@code owners} knows. */
    public BuildContext(Path dir, IgnoreMatcher ignore, LayerFiles.View owners) {
        this.dir = dir.toAbsolutePath().normalize();
        this.ignore = ignore;
        this.owners = owners;
    }

    /**
     * The owner {@code source} (a path under {@link #dir()}) has in the stage or image this
     * context was made from; empty for the build context, whose owners are not kept (COPY makes
     * them 0:0, as Docker).
     */
    public Optional<Owner> ownerOf(Path source) {
        if (owners == null) {
            return Optional.empty();
        }
        String rel = FileNames.relative(dir, source.toAbsolutePath().normalize());
        return owners.getNoFollow(rel).map(n -> new Owner(n.uid(), n.gid()));
    }

    public Path dir() {
        return dir;
    }

    /** True when the ignore rules hide something (the directory is not the context as it is). */
    public boolean hasIgnoreRules() {
        return !ignore.patterns().isEmpty();
    }

    /** Every path the ignore rules let through, relative and slash-separated, mapped to "is a directory". */
    public synchronized NavigableMap<String, Boolean> paths() {
        if (included == null) {
            TreeMap<String, Boolean> m = new TreeMap<>();
            for (ContextWalker.Entry e : new ContextWalker(ignore).walk(dir)) {
                m.put(e.path(), e.directory());
            }
            included = Collections.unmodifiableNavigableMap(m);
        }
        return included;
    }

    /** True when {@code rel} ({@code ""} = the root) is part of the context. */
    public boolean includes(String rel) {
        return rel.isEmpty() || paths().containsKey(rel);
    }

    /** The included paths strictly below directory {@code rel}. */
    public NavigableMap<String, Boolean> below(String rel) {
        if (rel.isEmpty()) {
            return paths();
        }
        return paths().subMap(rel + "/", false, rel + "0", false);
    }
}
