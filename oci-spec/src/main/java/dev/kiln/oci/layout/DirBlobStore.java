package dev.kiln.oci.layout;

import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * The content store: blobs as files {@code <root>/<algorithm>/<hex>}, the shape of an OCI layout's
 * {@code blobs} directory (and of kiln's local store). Every blob is written through a
 * {@link BlobWriter} into {@code <root>/.tmp/}, verified, flushed to disk and renamed into place,
 * so a name that exists holds the whole, verified content even after a crash. Reads verify again:
 * a blob whose bytes no longer hash to its name (a disk fault, a file truncated outside kiln) fails
 * the read that reaches its end and, in kiln's own store, is removed, so the next pull fetches it
 * again. Two processes may
 * write the same blob at once; the first rename wins.
 */
public final class DirBlobStore implements BlobStore {
    /**
     * The digest of no bytes, written out: hashing it here made every command that opens a store
     * (even {@code kiln images}) set up the JDK's security providers, ~0.05-0.1 s of start-up.
     */
    static final Digest EMPTY = Digest.parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    private final Path root;
    private final boolean removeDamaged;

    /** A blob directory that is not kiln's to repair (an OCI layout): damage is reported, not removed. */
    public DirBlobStore(Path root) {
        this(root, false);
    }

    /**
     * @param removeDamaged whether a blob found damaged is removed (kiln's own store, whose blobs a
     *     pull fetches again) or only reported (a user's OCI layout)
     */
    public DirBlobStore(Path root, boolean removeDamaged) {
        this.root = root;
        this.removeDamaged = removeDamaged;
    }

    public Path root() {
        return root;
    }

    /** Where blobs are written before they are verified and renamed into place; present only while a write is. */
    public Path tempDir() {
        return root.resolve(".tmp");
    }

    /** Where the blob lives or would live. */
    public Path file(Digest digest) {
        return root.resolve(digest.algorithm()).resolve(digest.hex());
    }

    @Override
    public boolean has(Digest digest) {
        Path file = file(digest);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.size() == 0 && !digest.equals(EMPTY)) {
                removeDamaged(file, a.fileKey()); // what a crash of a writer that did not flush leaves
                return false;
            }
            return a.isRegularFile();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the blob is present with the size its descriptor announces; a blob of another size
     * (truncated, e.g. by a crash of an older kiln that did not flush) is removed and reported
     * absent, so that the caller fetches it again.
     */
    public boolean has(Digest digest, long expectedSize) {
        Path file = file(digest);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (expectedSize >= 0 && a.size() != expectedSize) {
                removeDamaged(file, a.fileKey());
                return false;
            }
            return a.isRegularFile();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        Path file = file(digest);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest, root.toString());
        }
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        try {
            return new VerifyingBlobStream(Channels.newInputStream(ch), digest, ch.size(), (Digest actual) -> {
                removeDamaged(file, key);
                throw new DigestMismatchException("blob " + digest + " in " + root + " is damaged"
                        + (removeDamaged ? " (it was removed; pull the image again)" : ""), digest, actual);
            });
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Removes a damaged blob, unless another writer has already replaced it with a good one (the
     * name then points to another file).
     */
    private void removeDamaged(Path file, Object openedKey) {
        if (!removeDamaged) {
            return;
        }
        try {
            Object now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            if (Objects.equals(now, openedKey)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public long size(Digest digest) throws IOException {
        try {
            return Files.size(file(digest));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest, root.toString());
        }
    }

    @Override
    public Optional<Path> path(Digest digest) {
        Path file = file(digest);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public BlobWriter newWriter(String algorithm) {
        try {
            return new BlobWriter(this, newTemp("blob-"), algorithm);
        } catch (IOException e) {
            throw new KilnException("cannot create a temp file in " + tempDir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Digest put(InputStream content, Digest expected, long expectedSize) throws IOException {
        if (expected != null && has(expected, expectedSize)) {
            DigestingInputStream.forVerifying(content, expected).verify("blob", expected, expectedSize);
            return expected;
        }
        try (BlobWriter w = newWriter(expected == null ? Digest.SHA256 : expected.algorithm())) {
            content.transferTo(w);
            return w.commit("blob" + (expected == null ? "" : " " + expected), expected, expectedSize);
        }
    }

    /** Publishes a verified temp file under {@code digest}; called by {@link BlobWriter#commit}. */
    void publish(Path temp, Digest digest) throws IOException {
        AtomicFiles.publish(temp, file(digest), false);
    }

    /** Deletes a temp file that did not become a blob. */
    void discard(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a stray temp file is removed by the next gc
        }
        removeTmpDirIfEmpty();
    }

    /** A fresh temp file on the store's file system; retried if a concurrent cleanup removed the dir. */
    private Path newTemp(String prefix) throws IOException {
        Path tmpDir = tempDir();
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createDirectories(tmpDir);
                return Files.createTempFile(tmpDir, prefix, ".partial");
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** Keeps the directory spec-clean: the temp dir only exists while a write is in flight. */
    private void removeTmpDirIfEmpty() {
        try {
            Files.deleteIfExists(tempDir());
        } catch (IOException e) {
            // not empty: another write is in flight
        }
    }

    /**
     * Stores an existing file by hard link (or copy across file systems), verifying its digest
     * first. The caller must not modify the file afterwards: the blob may share its inode.
     */
    public Digest putFile(Path file, Digest expected) throws IOException {
        Digest actual;
        try (DigestingInputStream in = new DigestingInputStream(Files.newInputStream(file),
                Digester.of(expected == null ? Digest.SHA256 : expected.algorithm()))) {
            in.transferTo(OutputStream.nullOutputStream());
            actual = in.digest();
        }
        if (expected != null && !expected.equals(actual)) {
            throw new DigestMismatchException(file.toString(), expected, actual);
        }
        if (has(actual)) {
            return actual;
        }
        Path tmp = newTemp("link-");
        try {
            Files.delete(tmp);
            try {
                Files.createLink(tmp, file);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                Files.copy(file, tmp); // another file system, or links not allowed
            }
            publish(tmp, actual);
        } finally {
            discard(tmp);
        }
        return actual;
    }
}
