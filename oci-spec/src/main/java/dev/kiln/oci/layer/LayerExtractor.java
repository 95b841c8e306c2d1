package dev.kiln.oci.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Extracts a layer tar (plain, gzip, or zstd when zstd-jni is present) into a directory, never
 * trusting it: entry names that climb out of the root are refused; symlinks are created as written
 * but never followed on the host's terms (every path is resolved inside the root, see
 * {@link SafeRoot}); hardlinks may only point at files inside the root; whiteouts go to a
 * {@link WhiteoutHandler}; ownership, non-{@code user.} xattrs and device nodes go through
 * {@link FileOps} and are skipped (and recorded) where not permitted. Modes (including setuid and
 * sticky bits) and mtimes are applied; directory metadata is applied last, deepest first, and
 * only to the directory the entry made, reached again from the root through real directories (a
 * later entry that swapped a parent for a symlink cannot redirect it out of the root). Regular
 * files may be written by a second thread ({@link Options#writerAfter}; {@link Extraction} has
 * the rules that keep all of this true with it).
 */
public final class LayerExtractor {
    /**
     * @param whiteouts      what to do with {@code .wh.} entries
     * @param fileOps        ownership, xattrs, device nodes
     * @param applyOwnership whether to chown entries to their tar uid/gid
     * @param applyXattrs    whether to set PAX {@code SCHILY.xattr.*} attributes
     * @param ownerAccess    whether to give the extracting user read/write (and search on
     *                       directories) on everything, whatever the tar's modes say: for scratch
     *                       copies kiln reads from (e.g. {@code COPY --from}), not for rootfs use
     * @param fileWrites     how regular files are created and their owner, mode and mtime set
     * @param writerAfter    negative: every file is written by the extracting thread; else, once
     *                       a layer has shown this many regular files, later ones may be written
     *                       by a second thread ({@link FileWriterThread}), which then calls
     *                       {@code fileWrites} and {@code fileOps} beside the extracting thread:
     *                       both must be safe for that
     */
    public record Options(WhiteoutHandler whiteouts, FileOps fileOps, boolean applyOwnership, boolean applyXattrs,
                          boolean ownerAccess, FileWrites fileWrites, int writerAfter) {
        /**
         * Regular files a layer shows before a second thread writes them ({@link
         * #withWriterThreadWhereItPays}): a smaller layer is extracted on one thread.
         */
        static final int WRITER_AFTER = 64;

        /** Flatten whiteouts, java.nio file operations, ownership and xattrs attempted, tar modes exact, one thread. */
        public static Options defaults() {
            return new Options(WhiteoutHandler.flatten(), new JavaFileOps(), true, true, false, FileWrites.JAVA, -1);
        }

        public Options withWhiteouts(WhiteoutHandler handler) {
            return new Options(handler, fileOps, applyOwnership, applyXattrs, ownerAccess, fileWrites, writerAfter);
        }

        public Options withFileOps(FileOps ops) {
            return new Options(whiteouts, ops, applyOwnership, applyXattrs, ownerAccess, fileWrites, writerAfter);
        }

        public Options withApplyOwnership(boolean apply) {
            return new Options(whiteouts, fileOps, apply, applyXattrs, ownerAccess, fileWrites, writerAfter);
        }

        public Options withApplyXattrs(boolean apply) {
            return new Options(whiteouts, fileOps, applyOwnership, apply, ownerAccess, fileWrites, writerAfter);
        }

        public Options withOwnerAccess(boolean access) {
            return new Options(whiteouts, fileOps, applyOwnership, applyXattrs, access, fileWrites, writerAfter);
        }

        /** How regular files are created and their metadata set (java.nio's by default). */
        public Options withFileWrites(FileWrites writes) {
            return new Options(whiteouts, fileOps, applyOwnership, applyXattrs, ownerAccess, writes, writerAfter);
        }

        /** A second thread writes regular files once a layer has shown {@code files} of them (negative: never). */
        public Options withWriterThread(int files) {
            return new Options(whiteouts, fileOps, applyOwnership, applyXattrs, ownerAccess, fileWrites, files);
        }

        /**
         * A second thread writes a layer's regular files where that can pay: on two cores or more,
         * for a layer of more than {@link #WRITER_AFTER} files. {@code fileWrites} and {@code
         * fileOps} must be safe to call from two threads.
         */
        public Options withWriterThreadWhereItPays() {
            return withWriterThread(Runtime.getRuntime().availableProcessors() >= 2 ? WRITER_AFTER : -1);
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
        return new Extraction(options, new SafeRoot(root), listener).extract(blob);
    }
}
