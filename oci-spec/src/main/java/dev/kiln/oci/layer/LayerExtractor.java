package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.ChunkReadInputStream;
import dev.kiln.oci.files.FileNames;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Extracts a layer tar (plain, gzip, or zstd when zstd-jni is present) into a directory, never
 * trusting it: entry names that climb out of the root are refused; symlinks are created as written
 * but never followed on the host's terms (every path is resolved inside the root, see
 * {@link SafeRoot}); hardlinks may only point at files inside the root; whiteouts go to a
 * {@link WhiteoutHandler}; ownership, non-{@code user.} xattrs and device nodes go through
 * {@link FileOps} and are skipped (and recorded) where not permitted. Modes (including setuid and
 * sticky bits) and mtimes are applied; directory metadata is applied last, deepest first, and
 * only to the directory the entry made, reached again from the root through real directories (a
 * later entry that swapped a parent for a symlink cannot redirect it out of the root).
 */
public final class LayerExtractor {
    private static final System.Logger LOG = System.getLogger(LayerExtractor.class.getName());
    private static final int MAX_SKIPPED = 100;

    /**
     * @param whiteouts      what to do with {@code .wh.} entries
     * @param fileOps        ownership, xattrs, device nodes
     * @param applyOwnership whether to chown entries to their tar uid/gid
     * @param applyXattrs    whether to set PAX {@code SCHILY.xattr.*} attributes
     * @param ownerAccess    whether to give the extracting user read/write (and search on
     *                       directories) on everything, whatever the tar's modes say: for scratch
     *                       copies kiln reads from (e.g. {@code COPY --from}), not for rootfs use
     * @param fileWrites     how regular files are created and their owner, mode and mtime set
     */
    public record Options(WhiteoutHandler whiteouts, FileOps fileOps, boolean applyOwnership, boolean applyXattrs,
                          boolean ownerAccess, FileWrites fileWrites) {
        /** Flatten whiteouts, java.nio file operations, ownership and xattrs attempted, tar modes exact. */
        public static Options defaults() {
            return new Options(WhiteoutHandler.flatten(), new JavaFileOps(), true, true, false, FileWrites.JAVA);
        }

        public Options withWhiteouts(WhiteoutHandler handler) {
            return new Options(handler, fileOps, applyOwnership, applyXattrs, ownerAccess, fileWrites);
        }

        public Options withFileOps(FileOps ops) {
            return new Options(whiteouts, ops, applyOwnership, applyXattrs, ownerAccess, fileWrites);
        }

        public Options withApplyOwnership(boolean apply) {
            return new Options(whiteouts, fileOps, apply, applyXattrs, ownerAccess, fileWrites);
        }

        public Options withApplyXattrs(boolean apply) {
            return new Options(whiteouts, fileOps, applyOwnership, apply, ownerAccess, fileWrites);
        }

        public Options withOwnerAccess(boolean access) {
            return new Options(whiteouts, fileOps, applyOwnership, applyXattrs, access, fileWrites);
        }

        /** How regular files are created and their metadata set (java.nio's by default). */
        public Options withFileWrites(FileWrites writes) {
            return new Options(whiteouts, fileOps, applyOwnership, applyXattrs, ownerAccess, writes);
        }
    }

    private final Options options;

    public LayerExtractor(Options options) {
        this.options = options;
    }

    public LayerExtractor() {
        this(Options.defaults());
    }

    /** Extracts the layer in {@code blob} (compression detected from its bytes) into {@code root}. */
    public ExtractResult extract(InputStream blob, Path root) throws IOException {
        return extract(blob, root, EntryListener.NONE);
    }

    /** Extracts as {@link #extract(InputStream, Path)} does, showing each entry to {@code listener} on the way. */
    public ExtractResult extract(InputStream blob, Path root, EntryListener listener) throws IOException {
        Files.createDirectories(root);
        return new Run(new SafeRoot(root), listener).extract(blob);
    }

    /**
     * Work left for the end of an extraction on the directory {@code path}, which had
     * {@code fileKey} when the work was recorded: the entry's metadata, or a mode to restore.
     */
    private record Deferred(Path path, Object fileKey, TarArchiveEntry entry, Map<String, byte[]> xattrs, int mode) {
    }

    /**
     * Counts the bytes of the uncompressed tar. (Its digest is not taken here: a layer's diff ID is
     * {@link DiffIdCheck}'s to verify, in the stream it hands the extractor.)
     */
    private static final class Counted extends ChunkReadInputStream {
        private long size;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                size += n;
            }
            return n;
        }
    }

    /** One extraction: the state that lives as long as one layer. */
    private final class Run {
        private final SafeRoot root;
        private final EntryListener listener;
        private final Set<Path> created = new HashSet<>();
        /** Directory entries whose metadata is applied at the end; a repeated entry replaces the earlier. */
        private final Map<Path, Deferred> directoryMetadata = new LinkedHashMap<>();
        private final List<String> skipped = new ArrayList<>();
        private final Map<Path, Deferred> modesToRestore = new LinkedHashMap<>();
        /**
         * Parent directories this run has resolved and prepared, by the entry name's parent
         * components joined with {@code /}: where {@link SafeRoot#entryPath} took that name, a real
         * directory made writable. Resolving depends only on the directories and symlinks on the
         * way, which new files, directories, hardlinks and device nodes leave alone, so an entry
         * under a parent found here skips the lstat of every component and the preparing.
         * Forgotten as a whole by {@link #shapeChanging} before the run deletes or replaces
         * anything, applies a whiteout or opaque marker, or makes a symlink (a new link can change
         * where a symlink target with {@code ..} after a then missing name leads).
         */
        private final Map<String, Path> readyParents = new HashMap<>();
        private int ownershipFailures;
        private int entries;
        /** Carries each regular file's content from the tar to its file: large, so a big file takes few writes. */
        private final byte[] buffer = new byte[1 << 16];

        Run(SafeRoot root, EntryListener listener) {
            this.root = root;
            this.listener = listener;
        }

        ExtractResult extract(InputStream blob) throws IOException {
            Counted plain = new Counted(Compression.autoDecompress(blob));
            TarReader tar = new TarReader(plain);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                entries++;
                extractEntry(entry, tar.xattrs(), tar, listener.entry(entry));
            }
            plain.transferTo(OutputStream.nullOutputStream());
            for (Deferred restore : modesToRestore.values()) {
                if (root.isSameDirectory(restore.path(), restore.fileKey())) {
                    setMode(FileWrites.at(restore.path()), restore.mode());
                }
            }
            List<Deferred> deferred = new ArrayList<>(directoryMetadata.values());
            for (int i = deferred.size() - 1; i >= 0; i--) {
                Deferred d = deferred.get(i);
                if (root.isSameDirectory(d.path(), d.fileKey())) {
                    applyMetadata(FileWrites.at(d.path()), d.entry(), d.xattrs(), false);
                } else {
                    LOG.log(Level.DEBUG, "{0} was replaced later in the layer: its directory metadata is not applied",
                            d.path());
                }
            }
            return new ExtractResult(plain.size, entries, skipped, ownershipFailures);
        }

        /** {@code copy}, when not null, receives the content of a regular file as it is written. */
        private void extractEntry(TarArchiveEntry entry, Map<String, byte[]> xattrs, InputStream content,
                OutputStream copy) throws IOException {
            List<String> parts = SafeRoot.components(entry.getName());
            if (parts.isEmpty()) {
                return; // "./": the root itself keeps its own metadata
            }
            String base = parts.get(parts.size() - 1);
            if (Whiteouts.isWhiteout(base) && options.whiteouts().appliesWhiteouts()) {
                applyWhiteout(entry.getName(), parts, base);
                return;
            }
            Path path = place(parts);
            if (isRegularFile(entry)) {
                writeFile(path, entry, xattrs, content, copy);
                return;
            }
            BasicFileAttributes existing = SafeRoot.lstat(path);
            if (entry.isDirectory()) {
                if (existing != null && !existing.isDirectory()) {
                    shapeChanging();
                    Files.delete(path);
                    existing = null;
                }
                if (existing == null) {
                    Files.createDirectory(path);
                    existing = SafeRoot.lstat(path);
                }
                markCreated(path);
                directoryMetadata.remove(path);
                directoryMetadata.put(path, new Deferred(path, existing.fileKey(), entry, xattrs, 0));
                return;
            }
            if (existing != null) {
                shapeChanging();
                FlattenWhiteouts.deleteTree(path);
            }
            if (entry.isSymbolicLink()) {
                shapeChanging();
                Files.createSymbolicLink(path, FileNames.path(entry.getLinkName()));
                markCreated(path);
                applyMetadata(FileWrites.at(path), entry, xattrs, true);
            } else if (entry.isLink()) {
                createHardlink(entry, path);
                markCreated(path);
            } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                char type = entry.isFIFO() ? 'p' : entry.isCharacterDevice() ? 'c' : 'b';
                try {
                    options.fileOps().mknod(path, type, entry.getMode() & 07777, entry.getDevMajor(),
                            entry.getDevMinor());
                    markCreated(path);
                    applyMetadata(FileWrites.at(path), entry, xattrs, false);
                } catch (UnsupportedOperationException | IOException e) {
                    skip(root.relative(path) + ": device node not created (" + e.getMessage() + ")");
                }
            } else {
                skip(root.relative(path) + ": unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
            }
        }

        /**
         * Whether {@code entry} is a regular file ({@link TarArchiveEntry#isFile} alone also says so
         * of other types whose name does not end in {@code /}, a symlink's among them).
         */
        private static boolean isRegularFile(TarArchiveEntry entry) {
            return !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isLink() && !entry.isCharacterDevice()
                    && !entry.isBlockDevice() && !entry.isFIFO() && entry.isFile();
        }

        /**
         * Creates the regular file {@code path} (whatever is there deleted first, as for every
         * entry: found by the exclusive create failing rather than by an lstat before it), writes
         * its content and sets its metadata through the {@link FileWrites.Handle} it was created as.
         */
        private void writeFile(Path path, TarArchiveEntry entry, Map<String, byte[]> xattrs, InputStream content,
                OutputStream copy) throws IOException {
            FileWrites.Handle created;
            try {
                created = options.fileWrites().create(path);
            } catch (FileAlreadyExistsException e) {
                shapeChanging();
                FlattenWhiteouts.deleteTree(path);
                created = options.fileWrites().create(path);
            }
            try (FileWrites.Handle file = created) {
                for (int n; (n = content.read(buffer)) >= 0; ) {
                    file.write(buffer, 0, n);
                    if (copy != null) {
                        copy.write(buffer, 0, n);
                    }
                }
                markCreated(path);
                applyMetadata(file, entry, xattrs, false);
            }
        }

        /**
         * Where the entry named by {@code parts} lands (its parent resolved inside the root, made
         * and writable; the last component not followed): through {@link #readyParents} when the
         * run has prepared that parent since the tree last changed shape.
         */
        private Path place(List<String> parts) throws IOException {
            String parentKey = String.join("/", parts.subList(0, parts.size() - 1));
            Path parent = readyParents.get(parentKey);
            if (parent != null) {
                return FileNames.resolve(parent, parts.get(parts.size() - 1));
            }
            Path path = root.entryPath(parts);
            prepareParent(path.getParent());
            readyParents.put(parentKey, path.getParent());
            return path;
        }

        /** Forgets every {@link #readyParents} entry: the run is about to delete or replace something. */
        private void shapeChanging() {
            readyParents.clear();
        }

        private void applyWhiteout(String name, List<String> parts, String base) throws IOException {
            shapeChanging();
            Path dir = root.resolve(parts.subList(0, parts.size() - 1), true);
            if (options.whiteouts().createsParentDirectories()) {
                prepareParent(dir);
            } else if (SafeRoot.lstat(dir) != null) {
                makeWritable(dir);
            }
            String dirRel = root.relative(dir);
            if (Whiteouts.isOpaque(base)) {
                Set<Path> keep = new HashSet<>();
                for (Path p : created) {
                    if (dir.equals(p.getParent())) {
                        keep.add(p);
                    }
                }
                options.whiteouts().opaque(dir, dirRel, keep);
                return;
            }
            String target = Whiteouts.target(base);
            if (!Whiteouts.namesEntry(target)) {
                throw new LayerException("refusing layer entry '" + name + "': whiteout of '" + target + "'");
            }
            options.whiteouts().whiteout(FileNames.resolve(dir, target), Whiteouts.deletedPath(dirRel, base));
        }

        /**
         * Creates {@code dir} and its missing ancestors. When not root, a read-only directory from
         * an earlier layer is made writable for the owner while this layer is extracted and its mode
         * is restored at the end.
         */
        private void prepareParent(Path dir) throws IOException {
            Path existing = dir;
            while (!existing.equals(root.root()) && SafeRoot.lstat(existing) == null) {
                existing = existing.getParent();
            }
            makeWritable(existing);
            root.ensureDirectories(dir);
            makeWritable(dir);
        }

        private void makeWritable(Path dir) {
            if (Files.isWritable(dir) || modesToRestore.containsKey(dir)) {
                return;
            }
            try {
                BasicFileAttributes attrs = SafeRoot.lstat(dir);
                int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                Files.setAttribute(dir, "unix:mode", mode | 0300, LinkOption.NOFOLLOW_LINKS);
                modesToRestore.put(dir, new Deferred(dir, attrs == null ? null : attrs.fileKey(), null, Map.of(), mode));
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(Level.DEBUG, "cannot make {0} writable: {1}", dir, e);
            }
        }

        private void setMode(FileWrites.Handle target, int mode) {
            try {
                target.setMode(mode);
            } catch (IOException | UnsupportedOperationException e) {
                skip(root.relative(target.path()) + ": mode not set (" + e.getMessage() + ")");
            }
        }

        private void createHardlink(TarArchiveEntry entry, Path path) throws IOException {
            Path target = root.entryPath(SafeRoot.components(entry.getLinkName()));
            BasicFileAttributes attrs = SafeRoot.lstat(target);
            if (attrs == null || attrs.isDirectory()) {
                throw new LayerException("refusing hardlink '" + entry.getName() + "' -> '" + entry.getLinkName()
                        + "': the target is " + (attrs == null ? "not an earlier entry inside the root" : "a directory"));
            }
            Files.createLink(path, target);
        }

        private void markCreated(Path path) {
            for (Path p = path; p != null && !p.equals(root.root()); p = p.getParent()) {
                if (!created.add(p)) {
                    break;
                }
            }
        }

        /** Owner first (chown clears setuid bits), then mode, xattrs, mtime. Failures are recorded. */
        private void applyMetadata(FileWrites.Handle target, TarArchiveEntry entry, Map<String, byte[]> xattrs,
                boolean symlink) {
            Path path = target.path();
            if (options.applyOwnership()) {
                try {
                    options.fileOps().chown(target, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
                } catch (IOException | UnsupportedOperationException e) {
                    ownershipFailures++;
                }
            }
            if (!symlink) {
                int mode = entry.getMode() & 07777;
                if (options.ownerAccess()) {
                    mode |= entry.isDirectory() ? 0700 : 0600;
                }
                setMode(target, mode);
            }
            if (options.applyXattrs()) {
                applyXattrs(path, xattrs);
            }
            try {
                target.setTimes(entry.getLastModifiedTime().toInstant());
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(Level.DEBUG, "mtime not set on {0}: {1}", path, e);
            }
        }

        private void applyXattrs(Path path, Map<String, byte[]> xattrs) {
            for (Map.Entry<String, byte[]> xattr : xattrs.entrySet()) {
                String name = xattr.getKey();
                try {
                    options.fileOps().setXattr(path, name, xattr.getValue());
                } catch (IOException | UnsupportedOperationException e) {
                    skip(root.relative(path) + ": xattr " + name + " not set (" + e.getMessage() + ")");
                }
            }
        }

        private void skip(String what) {
            if (skipped.size() < MAX_SKIPPED) {
                skipped.add(what);
            }
            LOG.log(Level.DEBUG, "skipped {0}", what);
        }
    }
}
