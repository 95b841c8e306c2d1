package dev.kiln.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.ExtendedDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.util.encoders.Hex;

/**
 * Computes a {@link Digest} incrementally and counts the bytes it has seen. Not thread-safe.
 * The first {@link #digest()} finishes the hash; later calls return the same digest.
 *
 * <p>sha256 uses the JDK's implementation, which the JIT turns into the CPU's SHA instructions
 * (several times faster than a pure-Java digest on multi-megabyte layers); other algorithms, and
 * sha256 on a JDK without it, use Bouncy Castle.
 */
public final class Digester {
    private final String algorithm;
    private final MessageDigest jdk;
    private final ExtendedDigest portable;
    private long size;
    private Digest result;

    private Digester(String algorithm, MessageDigest jdk, ExtendedDigest portable) {
        this.algorithm = algorithm;
        this.jdk = jdk;
        this.portable = portable;
    }

    public static Digester sha256() {
        try {
            return new Digester(Digest.SHA256, MessageDigest.getInstance("SHA-256"), null);
        } catch (NoSuchAlgorithmException e) {
            // every JDK has SHA-256; fall back to Bouncy Castle anyway
            return new Digester(Digest.SHA256, null, new SHA256Digest());
        }
    }

    /** A digester for {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static Digester of(String algorithm) {
        return switch (algorithm) {
            case Digest.SHA256 -> sha256();
            case Digest.SHA512 -> new Digester(Digest.SHA512, null, new SHA512Digest());
            default -> throw new InvalidDigestException(algorithm + ":",
                    "unsupported algorithm '" + algorithm + "' (kiln knows sha256 and sha512)");
        };
    }

    public Digester update(byte[] bytes) {
        return update(bytes, 0, bytes.length);
    }

    public Digester update(byte[] bytes, int offset, int length) {
        if (jdk != null) {
            jdk.update(bytes, offset, length);
        } else {
            portable.update(bytes, offset, length);
        }
        size += length;
        return this;
    }

    public Digester update(byte b) {
        if (jdk != null) {
            jdk.update(b);
        } else {
            portable.update(b);
        }
        size++;
        return this;
    }

    /** Bytes seen so far. */
    public long size() {
        return size;
    }

    /** The digest of everything seen; the first call finishes the hash. */
    public Digest digest() {
        if (result == null) {
            result = finish();
        }
        return result;
    }

    private Digest finish() {
        if (jdk != null) {
            return new Digest(algorithm, HexFormat.of().formatHex(jdk.digest()));
        }
        byte[] out = new byte[portable.getDigestSize()];
        portable.doFinal(out, 0);
        return new Digest(algorithm, Hex.toHexString(out));
    }
}
