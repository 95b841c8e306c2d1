package dev.kiln.oci;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A document (manifest, index, config) parsed from exact bytes, travelling with those bytes and
 * their digest. The digest is always of the raw bytes, never of re-serialised JSON.
 *
 * @param <T> the parsed form
 */
public final class Parsed<T> {
    private final T value;
    private final byte[] bytes;
    private final Digest digest;

    private Parsed(T value, byte[] bytes, Digest digest) {
        this.value = Objects.requireNonNull(value, "value");
        this.bytes = bytes;
        this.digest = digest;
    }

    /** Wraps bytes already parsed into {@code value}; the sha256 digest is computed here. */
    public static <T> Parsed<T> of(T value, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Parsed<>(value, copy, Digest.sha256(copy));
    }

    /**
     * Wraps bytes that must hash to {@code expected}, as when a registry served them under that
     * digest.
     *
     * @throws DigestMismatchException when they do not
     */
    public static <T> Parsed<T> verified(T value, byte[] bytes, Digest expected, String what) {
        byte[] copy = bytes.clone();
        Digest actual = expected.recompute(copy);
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(what, expected, actual);
        }
        return new Parsed<>(value, copy, actual);
    }

    public T value() {
        return value;
    }

    /** A copy of the raw bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public InputStream openStream() {
        return new ByteArrayInputStream(bytes);
    }

    public Digest digest() {
        return digest;
    }

    public long size() {
        return bytes.length;
    }

    /** A descriptor of these bytes with {@code mediaType}. */
    public Descriptor descriptor(MediaType mediaType) {
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parsed<?> other && digest.equals(other.digest) && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "Parsed[" + digest + ", " + bytes.length + " bytes, " + value.getClass().getSimpleName() + "]";
    }
}
