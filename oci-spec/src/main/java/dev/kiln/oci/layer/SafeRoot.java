package dev.kiln.oci.layer;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.files.ImagePaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves paths inside an extraction root the way {@code openat2(RESOLVE_IN_ROOT)} does, on
 * java.nio: component by component, never following a symlink with the host's idea of it. A
 * symlink met on the way is re-read and resolved with the root as {@code /}; {@code ..} stops at
 * the root. The result is always a path under the root whose parent components are real
 * directories (at the time of the check; the root is assumed not to be modified concurrently).
 * Owns the rules of a layer entry's name (what is refused) and of resolving it on disk; splitting
 * a name into components is {@link ImagePaths#inside}'.
 */
final class SafeRoot {
    private static final int MAX_LINKS = 255;

    private final Path root;

    SafeRoot(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /**
     * Splits a tar entry name into clean components with {@link ImagePaths#inside} (leading
     * {@code /} and {@code ./} dropped, {@code .} and empty parts skipped, {@code ..} applied
     * lexically), refusing what a layer entry may not be.
     *
     * @throws LayerException when {@code ..} would climb above the root, or the name holds a NUL
     */
    static List<String> components(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new LayerException("refusing layer entry '" + name + "': NUL in name");
        }
        return ImagePaths.inside(name).orElseThrow(
                () -> new LayerException("refusing layer entry '" + name + "': it climbs out of the root"));
    }

    /**
     * Where an entry with these components lands: the parent resolved inside the root (symlinks
     * followed in scope), the last component appended without following it.
     */
    Path entryPath(List<String> components) throws IOException {
        if (components.isEmpty()) {
            return root;
        }
        Path parent = resolve(components.subList(0, components.size() - 1), true);
        return FileNames.resolve(parent, components.get(components.size() - 1));
    }

    /**
     * Resolves all components, following symlinks (also the last when {@code followLast}) inside
     * the root. Missing components are resolved lexically.
     */
    Path resolve(List<String> components, boolean followLast) throws IOException {
        Deque<String> pending = new ArrayDeque<>(components);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.removeFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            Path candidate = FileNames.resolve(join(done), part);
            if (pending.isEmpty() && !followLast) {
                done.addLast(part);
                break;
            }
            BasicFileAttributes attrs = lstat(candidate);
            if (attrs != null && attrs.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new LayerException("too many levels of symbolic links at " + relative(candidate));
                }
                String target = FileNames.text(Files.readSymbolicLink(candidate));
                if (target.startsWith("/")) {
                    done.clear();
                }
                String[] targetParts = target.split("/");
                for (int i = targetParts.length - 1; i >= 0; i--) {
                    pending.addFirst(targetParts[i]);
                }
                continue;
            }
            done.addLast(part);
        }
        return join(done);
    }

    private Path join(Deque<String> parts) {
        Path p = root;
        for (String part : parts) {
            p = FileNames.resolve(p, part);
        }
        return p;
    }

    /**
     * Makes sure {@code dir} (under the root, its parents already resolved) and its missing
     * ancestors exist as real directories. Ancestors already resolved by {@link #entryPath} are
     * never symlinks; a regular file in the way is an error.
     *
     * @return the directories made, ancestors first
     */
    List<Path> ensureDirectories(Path dir) throws IOException {
        if (!dir.startsWith(root)) {
            throw new LayerException("internal: " + dir + " is outside " + root);
        }
        List<Path> missing = new ArrayList<>();
        Path p = dir;
        while (!p.equals(root)) {
            BasicFileAttributes attrs = lstat(p);
            if (attrs != null) {
                if (!attrs.isDirectory()) {
                    throw new LayerException("cannot create " + relative(dir) + ": " + relative(p)
                            + " is not a directory");
                }
                break;
            }
            missing.add(p);
            p = p.getParent();
        }
        List<Path> made = new ArrayList<>(missing.size());
        for (int i = missing.size() - 1; i >= 0; i--) {
            made.add(Files.createDirectory(missing.get(i)));
        }
        return made;
    }

    /**
     * Whether {@code p} is still the directory identified by {@code fileKey} (from
     * {@link BasicFileAttributes#fileKey()}) and is reached from the root through real directories
     * only: re-resolved component by component with no symlink followed, so metadata deferred to
     * the end of an extraction cannot be redirected by a later entry that swapped a parent for a
     * symlink.
     */
    boolean isSameDirectory(Path p, Object fileKey) throws IOException {
        if (!p.startsWith(root) || fileKey == null) {
            return false;
        }
        Path walked = root;
        BasicFileAttributes attrs = lstat(root);
        for (Path part : root.relativize(p)) {
            if (attrs == null || !attrs.isDirectory()) {
                return false;
            }
            walked = walked.resolve(part);
            attrs = lstat(walked);
        }
        return attrs != null && attrs.isDirectory() && fileKey.equals(attrs.fileKey());
    }

    /** The attributes of {@code p} without following a symlink, or null when absent. */
    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The path relative to the root in {@link FileNames} text form, for messages and records. */
    String relative(Path p) {
        return FileNames.relative(root, p);
    }
}
