package dev.kiln.oci;

import org.bouncycastle.crypto.ExtendedDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.util.encoders.Hex;

/**
 * Computes a {@link Digest} incrementally and counts the bytes it has seen. Not thread-safe.
 * {@link #digest()} may be called once; it finishes the hash.
 */
public final class Digester {
    private final String algorithm;
    private final ExtendedDigest hash;
    private long size;

    private Digester(String algorithm, ExtendedDigest hash) {
        this.algorithm = algorithm;
        this.hash = hash;
    }

    public static Digester sha256() {
        return new Digester(Digest.SHA256, new SHA256Digest());
    }

    /** A digester for {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static Digester of(String algorithm) {
        return switch (algorithm) {
            case Digest.SHA256 -> sha256();
            case Digest.SHA512 -> new Digester(Digest.SHA512, new SHA512Digest());
            default -> throw new InvalidDigestException(algorithm + ":",
                    "unsupported algorithm '" + algorithm + "' (kiln knows sha256 and sha512)");
        };
    }

    public Digester update(byte[] bytes) {
        return update(bytes, 0, bytes.length);
    }

    public Digester update(byte[] bytes, int offset, int length) {
        hash.update(bytes, offset, length);
        size += length;
        return this;
    }

    public Digester update(byte b) {
        hash.update(b);
        size++;
        return this;
    }

    /** Bytes seen so far. */
    public long size() {
        return size;
    }

    /** Finishes the hash and returns the digest. */
    public Digest digest() {
        byte[] out = new byte[hash.getDigestSize()];
        hash.doFinal(out, 0);
        return new Digest(algorithm, Hex.toHexString(out));
    }
}
