package dev.kiln.oci.layout;

import dev.kiln.oci.BlobNotFoundException;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Blobs as files {@code <root>/<algorithm>/<hex>}, the shape of an OCI layout's {@code blobs}
 * directory. Temp files live in {@code <root>/.tmp/} until verified.
 */
public final class DirBlobStore implements BlobStore {
    private final Path root;

    public DirBlobStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Where the blob lives or would live. */
    public Path file(Digest digest) {
        return root.resolve(digest.algorithm()).resolve(digest.hex());
    }

    @Override
    public boolean has(Digest digest) {
        return Files.isRegularFile(file(digest));
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(file(digest));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest, root.toString());
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
    public Digest put(InputStream content, Digest expected, long expectedSize) throws IOException {
        Path tmp = newTemp();
        try {
            DigestingInputStream in = new DigestingInputStream(content,
                    Digester.of(expected == null ? Digest.SHA256 : expected.algorithm()));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            Digest actual = in.digest();
            if (expectedSize >= 0 && in.size() != expectedSize) {
                throw new DigestMismatchException("blob", expected == null ? actual : expected, expectedSize,
                        in.size());
            }
            if (expected != null && !expected.equals(actual)) {
                throw new DigestMismatchException("blob", expected, actual);
            }
            commit(tmp, file(actual));
            return actual;
        } finally {
            Files.deleteIfExists(tmp);
            removeTmpDirIfEmpty();
        }
    }

    /** A fresh temp file on the store's file system; retried if a concurrent cleanup removed the dir. */
    private Path newTemp() throws IOException {
        Path tmpDir = root.resolve(".tmp");
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createDirectories(tmpDir);
                return Files.createTempFile(tmpDir, "blob-", ".partial");
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** A hard link to (or, across file systems, a copy of) {@code file} under a fresh temp name. */
    private Path linkOrCopyToTemp(Path file) throws IOException {
        Path tmpDir = root.resolve(".tmp");
        for (int attempt = 0; ; attempt++) {
            Path tmp = tmpDir.resolve("link-" + java.util.UUID.randomUUID());
            try {
                Files.createDirectories(tmpDir);
                try {
                    return Files.createLink(tmp, file);
                } catch (NoSuchFileException e) {
                    throw e;
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                    return Files.copy(file, tmp); // another file system, or links not allowed
                }
            } catch (NoSuchFileException e) {
                if (attempt >= 3 || !Files.exists(file)) {
                    throw e;
                }
            }
        }
    }

    /** Keeps the directory spec-clean: the temp dir only exists while a write is in flight. */
    private void removeTmpDirIfEmpty() {
        try {
            Files.deleteIfExists(root.resolve(".tmp"));
        } catch (IOException e) {
            // not empty: another write is in flight
        }
    }

    /**
     * Moves a verified file into place under its digest, atomically. If another writer got there
     * first, theirs is kept (same content).
     */
    static void commit(Path tmp, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            return;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // a concurrent writer won; identical content
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot atomically rename " + tmp + " to " + target, e);
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
        Path target = file(actual);
        if (Files.exists(target)) {
            return actual;
        }
        Path tmp = linkOrCopyToTemp(file);
        try {
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
            removeTmpDirIfEmpty();
        }
        return actual;
    }
}
