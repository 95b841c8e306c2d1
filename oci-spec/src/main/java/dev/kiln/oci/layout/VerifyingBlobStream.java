package dev.kiln.oci.layout;

import dev.kiln.oci.Digest;
import dev.kiln.oci.ChunkReadInputStream;
import dev.kiln.oci.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * A stored blob as it is read: digested on the way, and checked as soon as the file's last byte
 * has been read (readers such as a gzip stream often stop there without asking for EOF). A blob
 * whose bytes do not hash to its name is reported to {@code onDamage}, which throws.
 */
final class VerifyingBlobStream extends ChunkReadInputStream {
    private final DigestingInputStream digesting;
    private final Digest expected;
    private final long length;
    private final Consumer<Digest> onDamage;
    private boolean checked;

    /**
     * @param length   the file's length when it was opened
     * @param onDamage called with the actual digest of a damaged blob; must throw
     */
    VerifyingBlobStream(InputStream in, Digest expected, long length, Consumer<Digest> onDamage) {
        this(DigestingInputStream.forVerifying(in, expected), expected, length, onDamage);
    }

    private VerifyingBlobStream(DigestingInputStream digesting, Digest expected, long length,
                                Consumer<Digest> onDamage) {
        super(digesting);
        this.digesting = digesting;
        this.expected = expected;
        this.length = length;
        this.onDamage = onDamage;
        checkIfComplete(false);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        checkIfComplete(n < 0);
        return n;
    }

    private void checkIfComplete(boolean atEof) {
        if (checked || (!atEof && digesting.size() < length)) {
            return;
        }
        checked = true;
        Digest actual = digesting.digest();
        if (!actual.equals(expected)) {
            onDamage.accept(actual);
            throw new IllegalStateException("onDamage must throw");
        }
    }
}
