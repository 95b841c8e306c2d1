package dev.kiln.oci.layout;

import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.Digester;
import dev.kiln.oci.DigestingOutputStream;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one blob into a {@link DirBlobStore}: bytes go to a private temp file and are digested on
 * the way; {@link #commit} verifies size and digest and publishes the file under its digest
 * (fsync, atomic rename, fsync of the directory). Until then nothing is visible in the store, and a
 * failed or abandoned writer leaves nothing behind.
 */
public final class BlobWriter extends OutputStream {
    private final DirBlobStore store;
    private final Path temp;
    private final String algorithm;
    private DigestingOutputStream out;
    private boolean done;

    BlobWriter(DirBlobStore store, Path temp, String algorithm) {
        this.store = store;
        this.temp = temp;
        this.algorithm = algorithm;
        restart();
    }

    /** Throws away what was written so far (e.g. a server ignored a Range request) and starts again. */
    public void restart() {
        Digester digester = Digester.of(algorithm);
        try {
            if (out != null) {
                out.close();
            }
            out = new DigestingOutputStream(Files.newOutputStream(temp), digester);
        } catch (IOException e) {
            throw new KilnException("cannot write " + temp + ": " + e.getMessage(), e);
        }
    }

    /** Bytes written so far. */
    public long size() {
        return out.size();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    /**
     * Verifies and publishes the blob (if another writer published it first, theirs is kept: same
     * content).
     *
     * @param expected     null to take whatever digest the bytes have
     * @param expectedSize below zero when unknown
     * @throws DigestMismatchException naming both digests; the temp file is deleted, nothing stored
     */
    public Digest commit(String what, Digest expected, long expectedSize) {
        try {
            out.close();
            if (expectedSize >= 0 && size() != expectedSize) {
                throw new DigestMismatchException(what, expected, expectedSize, size());
            }
            Digest actual = out.digest();
            if (expected != null && !actual.equals(expected)) {
                throw new DigestMismatchException(what, expected, actual);
            }
            store.publish(temp, actual);
            return actual;
        } catch (IOException e) {
            throw new KilnException("cannot store " + what + " in " + store.root() + ": " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    /** Abandons the blob unless it was committed. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // deleting anyway
            }
            store.discard(temp);
        }
    }
}
