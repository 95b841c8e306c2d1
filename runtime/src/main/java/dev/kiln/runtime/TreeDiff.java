package dev.kiln.runtime;

import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.OverlayMarkers;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot of a private root copy, for when overlay cannot be mounted: {@link #record} notes
 * every entry's inode, mode, owner, size, mtime, ctime and link target right after the copy is
 * made; {@link #moveChangesTo} walks the tree again after the process and moves what differs into
 * an overlay-format upper dir (what an earlier run left there is replaced), as overlayfs would have written it: new and changed entries (with
 * their parent directories), deletions as whiteouts, directories deleted and made again as opaque.
 * ctime catches a change that restored mtime and size, the inode one that replaced a file by
 * rename. Names stay {@link Path}s from directory listings, never strings, so any byte survives.
 */
final class TreeDiff {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /** What the walk compares; {@code link} is null for anything but a symbolic link. */
    record Stat(long ino, int mode, int uid, int gid, long size, long mtimeNanos, long ctimeNanos,
            Path link) {
        boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        boolean sameType(Stat other) {
            return (mode & S_IFMT) == (other.mode & S_IFMT);
        }

        static Stat of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p,
                    "unix:ino,mode,uid,gid,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            return new Stat((Long) a.get("ino"), mode, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    (Long) a.get("size"), nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")),
                    (mode & S_IFMT) == S_IFLNK ? Files.readSymbolicLink(p) : null);
        }

        private static long nanos(Object time) {
            return ((FileTime) time).to(TimeUnit.NANOSECONDS);
        }
    }

    /** Relative path of a directory → its entries' names and stats at record time. */
    private final Map<Path, Map<Path, Stat>> before;
    private final Path empty;

    private TreeDiff(Map<Path, Map<Path, Stat>> before, Path empty) {
        this.before = before;
        this.empty = empty;
    }

    /** Notes the state of every entry under {@code root}. */
    static TreeDiff record(Path root) throws IOException {
        Map<Path, Map<Path, Stat>> before = new HashMap<>();
        Path empty = root.relativize(root);
        List<Path> dirs = new ArrayList<>(List.of(empty));
        while (!dirs.isEmpty()) {
            Path rel = dirs.remove(dirs.size() - 1);
            Map<Path, Stat> entries = new HashMap<>();
            for (Path child : list(root.resolve(rel))) {
                Stat s = Stat.of(child);
                Path name = child.getFileName();
                entries.put(name, s);
                if (s.isDirectory()) {
                    dirs.add(rel.resolve(name));
                }
            }
            before.put(rel, entries);
        }
        return new TreeDiff(before, empty);
    }

    /**
     * Moves what changed under {@code root} since {@link #record} into {@code upper} (an empty or
     * missing directory on the same file system) and writes whiteouts there for what was
     * deleted. {@code root} is left incomplete: it is meant to be deleted next. Returns the number
     * of entries changed, added or deleted.
     */
    int moveChangesTo(Path root, Path upper) throws IOException {
        Changes changes = new Changes(root, upper);
        walk(changes, empty);
        changes.finish();
        return changes.count;
    }

    private void walk(Changes c, Path rel) throws IOException {
        Map<Path, Stat> was = before.getOrDefault(rel, Map.of());
        Set<Path> seen = new HashSet<>();
        for (Path child : list(c.root.resolve(rel))) {
            Path name = child.getFileName();
            seen.add(name);
            Path childRel = rel.resolve(name);
            Stat now = Stat.of(child);
            Stat old = was.get(name);
            if (old == null || !old.sameType(now) || now.isDirectory() && old.ino() != now.ino()) {
                c.take(childRel, old != null && old.isDirectory() && now.isDirectory());
            } else if (now.isDirectory()) {
                if (old.mode() != now.mode() || old.uid() != now.uid() || old.gid() != now.gid()
                        || old.mtimeNanos() != now.mtimeNanos() || old.ctimeNanos() != now.ctimeNanos()) {
                    c.directory(childRel);
                }
                walk(c, childRel);
            } else if (!old.equals(now)) {
                c.take(childRel, false);
            }
        }
        for (Path name : was.keySet()) {
            if (!seen.contains(name)) {
                c.whiteout(rel.resolve(name));
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        return out;
    }

    /**
     * The upper dir being written. Directories made in it get the root's mode, owner and mtime at
     * the end (moving entries into them changes their mtime), from stats taken before any move.
     */
    private static final class Changes {
        final Path root;
        final Path upper;
        final Map<Path, Stat> made = new HashMap<>();
        final List<Path> order = new ArrayList<>();
        int count;

        Changes(Path root, Path upper) throws IOException {
            this.root = root;
            this.upper = upper;
            Files.createDirectories(upper);
        }

        /** A new or changed entry: moved over whole; a directory made again hides the old one's entries. */
        void take(Path rel, boolean opaque) throws IOException {
            count++;
            parents(rel);
            Path target = upper.resolve(rel);
            FileTrees.delete(target); // an upper dir that held it already (kiln run again): the copy is newer
            Files.move(root.resolve(rel), target, StandardCopyOption.ATOMIC_MOVE);
            if (opaque) {
                OverlayMarkers.markOpaque(target);
            }
        }

        /** A directory whose own metadata changed (or that holds changes): present, not opaque. */
        void directory(Path rel) throws IOException {
            count++;
            ensure(rel);
        }

        void whiteout(Path rel) throws IOException {
            count++;
            parents(rel);
            try {
                FileTrees.delete(upper.resolve(rel));
                OverlayFormat.writeWhiteout(upper.resolve(rel));
            } catch (IOException e) {
                throw new IOException("cannot record the deletion of /" + rel + " as a whiteout in "
                        + upper + " (" + e.getMessage() + "); overlayfs refuses whiteouts inside "
                        + "itself: put kiln's store on a file system that is not overlayfs", e);
            }
        }

        private void parents(Path rel) throws IOException {
            if (rel.getParent() != null) {
                ensure(rel.getParent());
            }
        }

        /** Makes directory {@code rel} and its parents in the upper dir, noting the root's stats first. */
        private void ensure(Path dir) throws IOException {
            parents(dir);
            if (!made.containsKey(dir)) {
                made.put(dir, Stat.of(root.resolve(dir)));
                order.add(dir);
                Path target = upper.resolve(dir);
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.delete(target); // a whiteout or file there from an earlier run
                    Files.createDirectory(target);
                }
            }
        }

        void finish() throws IOException {
            for (int i = order.size() - 1; i >= 0; i--) {
                Path rel = order.get(i);
                Stat s = made.get(rel);
                Path dir = upper.resolve(rel);
                try {
                    Files.setAttribute(dir, "unix:uid", s.uid(), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(dir, "unix:gid", s.gid(), LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    // an owner that is not mapped here stays ours, as in the copy
                }
                Files.setAttribute(dir, "unix:mode", s.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(dir, FileTime.from(s.mtimeNanos(), TimeUnit.NANOSECONDS));
            }
        }
    }
}
