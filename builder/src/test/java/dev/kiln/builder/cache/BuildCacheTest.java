package dev.kiln.builder.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCacheTest {
    @TempDir Path tmp;

    static final Digest BLOB = Digest.parse("sha256:" + "a".repeat(64));
    static final LayerBlob LAYER = new LayerBlob(Descriptor.of(MediaType.OCI_LAYER_GZIP, BLOB, 10),
            Digest.parse("sha256:" + "b".repeat(64)));
    static final ImageConfig CONFIG = ImageConfig.empty(Platform.of("linux", "amd64", null));

    @Test
    void putThenGet_roundTrips() {
        BuildCache cache = new BuildCache(tmp.resolve("cache"));
        CacheKey key = CacheKey.root("scratch", "linux/amd64").next().add("RUN x").build();
        cache.put(key, new BuildCache.Entry(CONFIG, List.of(LAYER)));
        assertThat(cache.get(key, d -> true)).hasValueSatisfying(e -> {
            assertThat(e.config()).isEqualTo(CONFIG);
            assertThat(e.layers()).containsExactly(LAYER);
        });
    }

    @Test
    void entryWithMissingBlob_isAMiss() {
        BuildCache cache = new BuildCache(tmp.resolve("cache"));
        CacheKey key = CacheKey.root("scratch", "linux/amd64");
        cache.put(key, new BuildCache.Entry(CONFIG, List.of(LAYER)));
        assertThat(cache.get(key, d -> false)).isEmpty();
    }

    @Test
    void corruptEntry_isAMiss() throws Exception {
        BuildCache cache = new BuildCache(tmp.resolve("cache"));
        CacheKey key = CacheKey.root("x", "linux/amd64");
        cache.put(key, new BuildCache.Entry(CONFIG, List.of()));
        try (var files = Files.walk(tmp.resolve("cache"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(p, "{not json");
            }
        }
        assertThat(cache.get(key, d -> true)).isEmpty();
    }

    @Test
    void check_countsEntries_namesUnreadableOnesAndFilesThatAreNoEntry_changingNothing() throws Exception {
        Path dir = tmp.resolve("cache");
        BuildCache cache = new BuildCache(dir);
        CacheKey good = CacheKey.root("a", "linux/amd64");
        CacheKey bad = CacheKey.root("b", "linux/amd64");
        cache.put(good, new BuildCache.Entry(CONFIG, List.of(LAYER)));
        cache.put(bad, new BuildCache.Entry(CONFIG, List.of()));
        Path badFile = dir.resolve(bad.hex().substring(0, 2)).resolve(bad.hex() + ".json");
        Files.writeString(badFile, "{not json");
        Path partial = Files.writeString(dir.resolve(good.hex().substring(0, 2)).resolve(".tmp-123"), "{");

        BuildCache.Check c = cache.check();

        assertThat(c.entries()).isEqualTo(2);
        assertThat(c.unreadable()).containsExactly(badFile);
        assertThat(c.leftovers()).containsExactly(partial);
        assertThat(badFile).exists();
        assertThat(partial).exists();
        assertThat(new BuildCache(tmp.resolve("none")).check()).isEqualTo(new BuildCache.Check(0, List.of(), List.of()));
    }

    @Test
    void keys_dependOnEveryInputAndItsBoundaries() {
        CacheKey parent = CacheKey.root("image:sha256:1", "linux/amd64");
        assertThat(parent.next().add("ab").add("c").build()).isNotEqualTo(parent.next().add("a").add("bc").build());
        assertThat(parent.next().add(Map.of("A", "1")).build()).isNotEqualTo(parent.next().add(Map.of("A", "2")).build());
        assertThat(parent.next().add("x").build()).isEqualTo(parent.next().add("x").build());
        assertThat(CacheKey.root("image:sha256:2", "linux/amd64").next().add("x").build())
                .isNotEqualTo(parent.next().add("x").build());
    }
}
