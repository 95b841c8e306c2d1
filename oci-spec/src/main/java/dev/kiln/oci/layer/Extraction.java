package dev.kiln.oci.layer;

import dev.kiln.oci.Compression;
import dev.kiln.oci.ChunkReadInputStream;
import dev.kiln.oci.files.FileNames;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One extraction by {@link LayerExtractor} (whose rules it follows, described there): the state
 * that lives as long as one layer, and the work on each entry.
 */
final class Extraction {
    private static final System.Logger LOG = System.getLogger(LayerExtractor.class.getName());
    private static final int MAX_SKIPPED = 100;

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

    private final LayerExtractor.Options options;
    private final SafeRoot root;
    private final EntryListener listener;
    private final Set<Path> created = new HashSet<>();
    /** Directory entries whose metadata is applied at the end; a repeated entry replaces the earlier. */
    private final Map<Path, Deferred> directoryMetadata = new LinkedHashMap<>();
    /** What was skipped, with the place in the tar of the entry it was skipped for; both threads add. */
    private final List<Skip> skipped = new ArrayList<>();
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
    /**
     * Directories this run made (the root too, when it was empty): empty when made, and only
     * this run adds to them, so a name in one that the run has not {@link #created} holds
     * nothing, and a regular file there may be {@linkplain #queueable queued} for the {@link
     * #writer}. Forgotten when a whiteout or opaque marker is applied (a handler may put
     * entries of its own there).
     */
    private final Set<Path> madeDirectories = new HashSet<>();
    /** Files queued for the {@link #writer} since it last {@linkplain #drain drained}: maybe not written yet. */
    private final Set<Path> queued = new HashSet<>();
    /** The second thread writing regular files, once started; null while every file is written here. */
    private FileWriterThread writer;
    private int regularFiles;
    private final AtomicInteger ownershipFailures = new AtomicInteger();
    private int entries;
    /** Carries each regular file's content from the tar to its file: large, so a big file takes few writes. */
    private final byte[] buffer = new byte[1 << 16];

    Extraction(LayerExtractor.Options options, SafeRoot root, EntryListener listener) {
        this.options = options;
        this.root = root;
        this.listener = listener;
    }

    ExtractResult extract(InputStream blob) throws IOException {
        if (options.writerAfter() >= 0 && isEmpty(root.root())) {
            madeDirectories.add(root.root());
        }
        try {
            return extractAll(blob);
        } catch (IOException | RuntimeException | Error e) {
            if (writer != null) { // the queued files were earlier entries: one thread would have met their failure first
                if (!(e instanceof InterruptedIOException)) {
                    writer.awaitQueued();
                }
                writer.close();
                writer.throwFailureBefore(e);
            }
            throw e;
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
    }

    private ExtractResult extractAll(InputStream blob) throws IOException {
        Counted plain = new Counted(Compression.autoDecompress(blob));
        TarReader tar = new TarReader(plain);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            entries++;
            extractEntry(entry, tar.xattrs(), tar, listener.entry(entry));
        }
        drain();
        plain.transferTo(OutputStream.nullOutputStream());
        for (Deferred restore : modesToRestore.values()) {
            if (root.isSameDirectory(restore.path(), restore.fileKey())) {
                setMode(FileWrites.at(restore.path()), restore.mode(), Integer.MAX_VALUE);
            }
        }
        List<Deferred> deferred = new ArrayList<>(directoryMetadata.values());
        for (int i = deferred.size() - 1; i >= 0; i--) {
            Deferred d = deferred.get(i);
            if (root.isSameDirectory(d.path(), d.fileKey())) {
                applyMetadata(FileWrites.at(d.path()), d.entry(), d.xattrs(), false, Integer.MAX_VALUE);
            } else {
                LOG.log(Level.DEBUG, "{0} was replaced later in the layer: its directory metadata is not applied",
                        d.path());
            }
        }
        return new ExtractResult(plain.size, entries, skippedInOrder(), ownershipFailures.get());
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
            if (queueable(path, entry) && writer.queue(path, entry, xattrs, entries, content, copy)) {
                queued.add(path);
                markCreated(path);
            } else {
                writeFile(path, entry, xattrs, content, copy);
            }
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
                madeDirectories.add(path);
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
            applyMetadata(FileWrites.at(path), entry, xattrs, true, entries);
        } else if (entry.isLink()) {
            drain(); // the target may be a file queued and not yet written
            createHardlink(entry, path);
            markCreated(path);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            char type = entry.isFIFO() ? 'p' : entry.isCharacterDevice() ? 'c' : 'b';
            try {
                options.fileOps().mknod(path, type, entry.getMode() & 07777, entry.getDevMajor(),
                        entry.getDevMinor());
                markCreated(path);
                applyMetadata(FileWrites.at(path), entry, xattrs, false, entries);
            } catch (UnsupportedOperationException | IOException e) {
                skip(entries, root.relative(path) + ": device node not created (" + e.getMessage() + ")");
            }
        } else {
            skip(entries, root.relative(path) + ": unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
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
     * Whether the regular file {@code entry} goes to the {@link #writer} (started here when it
     * is the first): only where nothing can be at {@code path} (its parent one of {@link
     * #madeDirectories}, the name not made by this run), only content of at most {@link
     * FileWriterThread#MAX_FILE} bytes, and only once the layer has shown {@link
     * Options#writerAfter} regular files. Anything else is written here, as on one thread.
     */
    private boolean queueable(Path path, TarArchiveEntry entry) {
        if (options.writerAfter() < 0 || regularFiles++ < options.writerAfter()) {
            return false;
        }
        if (entry.isSparse() || entry.getSize() > FileWriterThread.MAX_FILE
                || !madeDirectories.contains(path.getParent()) || created.contains(path)
                || madeDirectories.contains(path)) {
            return false;
        }
        if (writer == null) {
            writer = new FileWriterThread(this::writeQueued);
        }
        return true;
    }

    /** The {@link #writer}'s: writes a queued file as {@link #writeFile} writes one here. */
    private void writeQueued(FileWriterThread.Queued file, FileWriterThread from) throws IOException {
        try (FileWrites.Handle handle = options.fileWrites().create(file.path())) {
            from.writeContent(file, handle);
            applyMetadata(handle, file.entry(), file.xattrs(), false, file.seq());
        }
    }

    /**
     * The barrier before anything that deletes, replaces or links: waits until every file
     * queued for the {@link #writer} is written, and throws what writing one failed with.
     */
    private void drain() throws IOException {
        if (writer != null && !queued.isEmpty()) {
            writer.drain();
            queued.clear();
        }
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
            applyMetadata(file, entry, xattrs, false, entries);
        }
    }

    /**
     * Where the entry named by {@code parts} lands (its parent resolved inside the root, made
     * and writable; the last component not followed): through {@link #readyParents} when the
     * run has prepared that parent since the tree last changed shape. A file {@link #queued}
     * there, or on the way, is written first.
     */
    private Path place(List<String> parts) throws IOException {
        String parentKey = String.join("/", parts.subList(0, parts.size() - 1));
        Path parent = readyParents.get(parentKey);
        if (parent != null) {
            Path path = FileNames.resolve(parent, parts.get(parts.size() - 1));
            if (queued.contains(path)) {
                drain();
            }
            return path;
        }
        Path path = root.entryPath(parts);
        if (queuedOnTheWay(path)) {
            drain();
            path = root.entryPath(parts);
        }
        prepareParent(path.getParent());
        readyParents.put(parentKey, path.getParent());
        return path;
    }

    /** Whether {@code path} or a directory on its way from the root is a file {@link #queued} since the last drain. */
    private boolean queuedOnTheWay(Path path) {
        if (queued.isEmpty()) {
            return false;
        }
        for (Path p = path; p != null && !p.equals(root.root()); p = p.getParent()) {
            if (queued.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The run is about to delete or replace something, or make a symlink: every {@link
     * #readyParents} entry is forgotten, and every queued file written first ({@link #drain}).
     */
    private void shapeChanging() throws IOException {
        readyParents.clear();
        drain();
    }

    private void applyWhiteout(String name, List<String> parts, String base) throws IOException {
        shapeChanging();
        Path dir = root.resolve(parts.subList(0, parts.size() - 1), true);
        if (options.whiteouts().createsParentDirectories()) {
            prepareParent(dir);
        } else if (SafeRoot.lstat(dir) != null) {
            makeWritable(dir);
        }
        madeDirectories.clear(); // the handler may put entries of its own in them (prepared just now too)
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
        madeDirectories.addAll(root.ensureDirectories(dir));
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

    private void setMode(FileWrites.Handle target, int mode, int seq) {
        try {
            target.setMode(mode);
        } catch (IOException | UnsupportedOperationException e) {
            skip(seq, root.relative(target.path()) + ": mode not set (" + e.getMessage() + ")");
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

    /**
     * Owner first (chown clears setuid bits), then mode, xattrs, mtime. Failures are recorded
     * for the entry at {@code seq} in the tar. Called by the {@link #writer} too.
     */
    private void applyMetadata(FileWrites.Handle target, TarArchiveEntry entry, Map<String, byte[]> xattrs,
            boolean symlink, int seq) {
        Path path = target.path();
        if (options.applyOwnership()) {
            try {
                options.fileOps().chown(target, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
            } catch (IOException | UnsupportedOperationException e) {
                ownershipFailures.incrementAndGet();
            }
        }
        if (!symlink) {
            int mode = entry.getMode() & 07777;
            if (options.ownerAccess()) {
                mode |= entry.isDirectory() ? 0700 : 0600;
            }
            setMode(target, mode, seq);
        }
        if (options.applyXattrs()) {
            applyXattrs(path, xattrs, seq);
        }
        try {
            target.setTimes(entry.getLastModifiedTime().toInstant());
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.DEBUG, "mtime not set on {0}: {1}", path, e);
        }
    }

    private void applyXattrs(Path path, Map<String, byte[]> xattrs, int seq) {
        for (Map.Entry<String, byte[]> xattr : xattrs.entrySet()) {
            String name = xattr.getKey();
            try {
                options.fileOps().setXattr(path, name, xattr.getValue());
            } catch (IOException | UnsupportedOperationException e) {
                skip(seq, root.relative(path) + ": xattr " + name + " not set (" + e.getMessage() + ")");
            }
        }
    }

    /** Records what was skipped for the entry at {@code seq} (in any order: {@link #skippedInOrder} sorts). */
    private void skip(int seq, String what) {
        synchronized (skipped) {
            skipped.add(new Skip(seq, what));
            if (skipped.size() > 10 * MAX_SKIPPED) {
                keepFirstSkipped();
            }
        }
        LOG.log(Level.DEBUG, "skipped {0}", what);
    }

    /** The first {@link #MAX_SKIPPED} skipped, in tar order: as one thread would have recorded them. */
    private List<String> skippedInOrder() {
        synchronized (skipped) {
            keepFirstSkipped();
            return skipped.stream().map(Skip::what).toList();
        }
    }

    private void keepFirstSkipped() {
        skipped.sort(Comparator.comparingInt(Skip::seq)); // stable: one entry's in the order met
        skipped.subList(Math.min(MAX_SKIPPED, skipped.size()), skipped.size()).clear();
    }

    /** Something not applied ({@code what}, with why), for the entry at {@code seq} in the tar. */
    private record Skip(int seq, String what) {
    }

    /** Whether {@code dir} has no entries. */
    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            return !children.iterator().hasNext();
        }
    }
}
