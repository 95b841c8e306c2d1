package dev.kiln.builder.cache;

import dev.kiln.oci.Digester;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A step's cache key: sha256 over the parent key and the step's inputs, each length-prefixed so
 * that no two different input lists collide by concatenation.
 */
public record CacheKey(String hex) {
    /** Bump when what a step produces for the same inputs changes. */
    static final String FORMAT = "kiln-cache-v1";

    public CacheKey {
        Objects.requireNonNull(hex, "hex");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256 hex string: " + hex);
        }
    }

    /** The key of a stage's start: its base (image ID, stage key or scratch) and platform. */
    public static CacheKey root(String base, String platform) {
        return new Builder(null).add(base).add(platform).build();
    }

    /** A builder for the key of the step after this one. */
    public Builder next() {
        return new Builder(this);
    }

    /** Collects a step's inputs. */
    public static final class Builder {
        private final Digester digester = Digester.sha256();

        private Builder(CacheKey parent) {
            add(FORMAT);
            add(parent == null ? "" : parent.hex);
        }

        public Builder add(String part) {
            byte[] b = (part == null ? "\0null" : part).getBytes(StandardCharsets.UTF_8);
            digester.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
            digester.update(b);
            return this;
        }

        public Builder add(Map<String, String> map) {
            add(Integer.toString(map.size()));
            map.forEach((k, v) -> add(k).add(v));
            return this;
        }

        public CacheKey build() {
            return new CacheKey(digester.digest().hex());
        }
    }

    @Override
    public String toString() {
        return hex.substring(0, 12);
    }
}
