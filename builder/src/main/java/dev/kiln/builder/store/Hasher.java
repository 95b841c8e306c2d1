package dev.kiln.builder.store;

import dev.kiln.oci.Digest;
import dev.kiln.oci.Digester;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes blob bytes on their way into the store. sha256 uses the JDK's implementation, which the
 * JIT turns into the CPU's SHA instructions (several times faster than a pure-Java digest on
 * multi-megabyte layers); other algorithms use oci-spec's {@link Digester}.
 */
abstract class Hasher {
    abstract void update(byte[] b, int off, int len);

    abstract void update(byte b);

    abstract long size();

    abstract Digest digest();

    static Hasher of(String algorithm) {
        if (Digest.SHA256.equals(algorithm)) {
            try {
                return new Jdk(MessageDigest.getInstance("SHA-256"));
            } catch (NoSuchAlgorithmException e) {
                // every JDK has SHA-256; fall through to oci-spec's digester
            }
        }
        return new Portable(Digester.of(algorithm));
    }

    private static final class Jdk extends Hasher {
        private final MessageDigest md;
        private long size;

        Jdk(MessageDigest md) {
            this.md = md;
        }

        @Override
        void update(byte[] b, int off, int len) {
            md.update(b, off, len);
            size += len;
        }

        @Override
        void update(byte b) {
            md.update(b);
            size++;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        Digest digest() {
            return new Digest(Digest.SHA256, HexFormat.of().formatHex(md.digest()));
        }
    }

    private static final class Portable extends Hasher {
        private final Digester d;

        Portable(Digester d) {
            this.d = d;
        }

        @Override
        void update(byte[] b, int off, int len) {
            d.update(b, off, len);
        }

        @Override
        void update(byte b) {
            d.update(b);
        }

        @Override
        long size() {
            return d.size();
        }

        @Override
        Digest digest() {
            return d.digest();
        }
    }
}
