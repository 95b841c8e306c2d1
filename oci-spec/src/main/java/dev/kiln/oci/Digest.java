package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:0123…}. Only {@code sha256} (64 lowercase hex digits)
 * and {@code sha512} (128) are accepted; anything else is refused when parsed, never normalised.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex       the encoded hash, lowercase hex of the algorithm's exact length
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        if (algorithm == null || hex == null) {
            throw new InvalidDigestException(algorithm + ":" + hex, "algorithm and hex are required");
        }
        int expected = hexLength(algorithm);
        if (expected < 0) {
            throw new InvalidDigestException(algorithm + ":" + hex,
                    "unsupported algorithm '" + algorithm + "' (kiln knows sha256 and sha512)");
        }
        if (hex.length() != expected || !LOWER_HEX.matcher(hex).matches()) {
            throw new InvalidDigestException(algorithm + ":" + hex,
                    algorithm + " needs exactly " + expected + " lowercase hex digits");
        }
    }

    /** Parses the canonical form {@code algorithm:hex}, strictly. */
    @JsonCreator
    public static Digest parse(String text) {
        if (text == null) {
            throw new InvalidDigestException("null", "a digest is required");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException(text, "expected algorithm:hex, e.g. sha256:<64 hex digits>");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Whether {@code text} is a digest {@link #parse} accepts. */
    public static boolean isDigest(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidDigestException e) {
            return false;
        }
    }

    /** The sha256 digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        return Digester.sha256().update(content).digest();
    }

    /** The digest of {@code content} with the same algorithm as this one, used for verification. */
    public Digest recompute(byte[] content) {
        return Digester.of(algorithm).update(content).digest();
    }

    /** The short id Docker shows: the first 12 hex digits. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    static int hexLength(String algorithm) {
        return switch (algorithm) {
            case SHA256 -> 64;
            case SHA512 -> 128;
            default -> -1;
        };
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }
}
