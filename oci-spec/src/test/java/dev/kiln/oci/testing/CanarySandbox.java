package dev.kiln.oci.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A directory of canaries around an extraction root: files, directories, a symlink and a setuid
 * file with known content, modes, owners (when root), times and an xattr, beside each of the
 * root's parents. {@link #snapshot()} records every path of the sandbox except what is under the
 * root, with its inode, link count and change time, so that any write, chmod, chown, utime, link
 * or delete outside the root shows up in {@link #changes}; {@link #sharedInodes} finds files
 * inside the root that are hardlinks to files outside it.
 */
public final class CanarySandbox {
    private static final FileTime OLD = FileTime.fromMillis(1_000_000_000_000L);
    private static final int CANARY_OWNER = 4242;

    private final Path top;
    private final Path root;

    /** Makes the canaries under {@code top}; the root is {@code top/sandbox/d1/d2/root}. */
    public CanarySandbox(Path top) throws IOException {
        this.top = top;
        Path sandbox = Files.createDirectories(top.resolve("sandbox"));
        Path d1 = Files.createDirectory(sandbox.resolve("d1"));
        Path d2 = Files.createDirectory(d1.resolve("d2"));
        this.root = d2.resolve("root");
        for (Path dir : List.of(sandbox, d1, d2)) {
            canaries(dir);
        }
        // the parents last, so their times are the ones set here
        for (Path dir : List.of(d2, d1, sandbox)) {
            Files.setLastModifiedTime(dir, OLD);
        }
    }

    private static void canaries(Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("canary-file"), "precious " + dir.getFileName());
        Path inner = Files.createDirectory(dir.resolve("canary-dir"));
        Path innerFile = Files.writeString(inner.resolve("inner"), "inner");
        Path setuid = Files.writeString(dir.resolve("canary-setuid"), "#!/bin/sh\n");
        Files.createSymbolicLink(dir.resolve("canary-link"), Path.of("canary-file"));
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (xattrs != null) {
            try {
                xattrs.write("canary", ByteBuffer.wrap(new byte[] {'y'}));
            } catch (IOException | UnsupportedOperationException e) {
                // a file system without user xattrs: the other canaries still count
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(innerFile, PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(setuid, "unix:mode", 04755);
        Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rwxr-x---"));
        if (isRoot()) {
            for (Path p : List.of(file, innerFile, setuid, inner)) {
                Files.setAttribute(p, "unix:uid", CANARY_OWNER, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", CANARY_OWNER, LinkOption.NOFOLLOW_LINKS);
            }
        }
        for (Path p : List.of(file, innerFile, setuid, inner)) {
            Files.setLastModifiedTime(p, OLD);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The extraction root (not created). */
    public Path root() {
        return root;
    }

    /**
     * Absolute host paths a hostile link may aim at: each canary, the root's parents and the root
     * itself as the host sees it.
     */
    public List<String> outsidePaths() {
        List<String> paths = new ArrayList<>();
        for (Path dir = root; !dir.equals(top); dir = dir.getParent()) {
            paths.add(dir.toString());
            if (!dir.equals(root)) {
                for (String canary : List.of("canary-file", "canary-dir", "canary-setuid", "canary-link")) {
                    paths.add(dir.resolve(canary).toString());
                }
            }
        }
        return paths;
    }

    /** Everything under the sandbox but the root's contents: path → its recorded state. */
    public Map<String, String> snapshot() throws IOException {
        Map<String, String> states = new TreeMap<>();
        states.put(".", state(top));
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(root)) {
                    states.put(top.relativize(dir).toString(), "(root)");
                    return FileVisitResult.SKIP_SUBTREE;
                }
                states.put(top.relativize(dir).toString(), state(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                states.put(top.relativize(file).toString(), file.equals(root) ? "(root)" : state(file));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                states.put(top.relativize(file).toString(), "(unreadable: " + e + ")");
                return FileVisitResult.CONTINUE;
            }
        });
        return states;
    }

    private static String state(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        StringBuilder s = new StringBuilder();
        s.append(String.format("mode=%o uid=%s gid=%s size=%s ino=%s nlink=%s mtime=%s ctime=%s", a.get("mode"),
                a.get("uid"), a.get("gid"), a.get("size"), a.get("ino"), a.get("nlink"), a.get("lastModifiedTime"),
                a.get("ctime")));
        if (Files.isSymbolicLink(p)) {
            s.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            s.append(" sha256=").append(sha256(Files.readAllBytes(p)));
        }
        if (!Files.isSymbolicLink(p)) {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
            if (view != null) {
                for (String name : view.list()) {
                    ByteBuffer value = ByteBuffer.allocate(view.size(name));
                    view.read(name, value);
                    s.append(" user.").append(name).append('=').append(HexFormat.of().formatHex(value.array()));
                }
            }
        }
        return s.toString();
    }

    /** What differs between two snapshots, one line per path; empty when nothing changed. */
    public static List<String> changes(Map<String, String> before, Map<String, String> after) {
        List<String> changes = new ArrayList<>();
        Map<String, String> all = new TreeMap<>(before);
        after.forEach(all::putIfAbsent);
        for (String path : all.keySet()) {
            String was = before.get(path);
            String now = after.get(path);
            if (!Objects.equals(was, now)) {
                changes.add(path + ": " + (was == null ? "(new)" : was) + "  =>  " + (now == null ? "(gone)" : now));
            }
        }
        return changes;
    }

    /** Paths under the root that share an inode with a file outside it (a hardlink out). */
    public List<String> sharedInodes() throws IOException {
        List<Object> outsideKeys = new ArrayList<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(root) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                outsideKeys.add(attrs.fileKey());
                return FileVisitResult.CONTINUE;
            }
        });
        List<String> shared = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return shared;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (outsideKeys.contains(attrs.fileKey())) {
                    shared.add(root.relativize(file).toString());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a 0000 directory as an unprivileged user
            }
        });
        return shared;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
