package dev.kiln.builder.engine.copy;

import java.nio.file.Path;

/** One thing a COPY or ADD puts into its layer; {@code dest} is relative to the image root. */
public sealed interface CopyItem {
    String dest();

    /** A file, directory or symlink copied from disk as it is (a directory without its contents). */
    record FromDisk(String dest, Path source, Kind kind) implements CopyItem {}

    /** A here-document file. */
    record Inline(String dest, byte[] content) implements CopyItem {}

    /** A local tar archive (possibly compressed) that ADD extracts into {@code dest}. */
    record Archive(String dest, Path archive) implements CopyItem {}

    /** A file downloaded by ADD (mode 0600 as Docker gives it). */
    record Download(String dest, Path file) implements CopyItem {}

    /**
     * {@code TARGET} is the directory a directory source's contents are copied into (the source
     * directory itself): BuildKit makes it with MkdirAll (0755, the {@code --chown} owner, no
     * {@code --chmod}) and gives it the source's mtime; an image directory there keeps its own.
     */
    enum Kind { FILE, DIRECTORY, TARGET, SYMLINK }
}
