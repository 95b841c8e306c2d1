package dev.kiln.builder.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.EngineFixture;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorePrunerTest {
    @TempDir Path tmp;
    EngineFixture f;
    BuiltImage built;
    Path layers;

    /** A build (cached), one named image, extracted dirs for its layers and one orphan layer. */
    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(tmp);
        built = f.build("FROM base\nRUN write /a hello\n");
        f.store.putImage(f.store.recordFor("docker.io/library/app:latest",
                RawManifest.of(built.manifest().bytes(), MediaType.OCI_MANIFEST), null));
        layers = f.store.root().resolve("layers");
        for (LayerBlob l : built.layers()) {
            Files.createDirectories(layers.resolve(l.diffId().hex()).resolve("etc"));
            Files.writeString(layers.resolve(l.diffId().hex() + ".listing"), "{}");
        }
        Path orphan = Files.createDirectories(layers.resolve("ab".repeat(32)).resolve("usr/bin"));
        Files.writeString(orphan.resolve("tool"), "x".repeat(100));
        Files.writeString(layers.resolve("ab".repeat(32) + ".listing"), "{}");
        Files.writeString(f.store.root().resolve("tmp/left-behind"), "x");
    }

    private List<String> layerEntries() throws Exception {
        try (Stream<Path> s = Files.list(layers)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Set<String> cacheFiles() throws Exception {
        Path cache = f.store.root().resolve("cache");
        if (!Files.isDirectory(cache)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return Set.copyOf(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void prune_keepsNamedImagesTheirLayersAndCache_removesOrphanLayerAndTempFiles() throws Exception {
        Set<String> cacheBefore = cacheFiles();
        StorePruner.Result r = new StorePruner(f.store).prune(false, Set.of(), false);

        assertThat(r.untagged()).isEmpty();
        assertThat(r.layerDirs()).isEqualTo(1);
        assertThat(r.cacheEntries()).isZero();
        assertThat(r.bytes()).isGreaterThanOrEqualTo(100);
        assertThat(layerEntries()).hasSize(2 * built.layers().size()).doesNotContain("ab".repeat(32));
        assertThat(f.store.root().resolve("tmp/left-behind")).doesNotExist();
        assertThat(cacheFiles()).isEqualTo(cacheBefore).isNotEmpty();
        assertThat(f.store.image("docker.io/library/app:latest")).isPresent();
        assertThat(built.layers()).allMatch(l -> f.store.hasBlob(l.descriptor().digest()));
    }

    @Test
    void prune_cacheEntryWhoseBlobIsGone_isRemoved() throws Exception {
        f.store.removeImage("docker.io/library/app:latest");
        Files.delete(f.store.blobPath(built.layers().get(built.layers().size() - 1).descriptor().digest()));
        StorePruner.Result r = new StorePruner(f.store).prune(false, Set.of(), false);

        assertThat(r.cacheEntries()).isPositive();
        assertThat(layerEntries()).doesNotContain(built.layers().get(built.layers().size() - 1).diffId().hex());
    }

    @Test
    void pruneAll_removesImagesCacheBlobsAndEveryExtractedLayer() throws Exception {
        StorePruner.Result r = new StorePruner(f.store).prune(true, Set.of(), false);

        assertThat(r.untagged()).containsExactly("docker.io/library/app:latest");
        assertThat(f.store.images()).isEmpty();
        assertThat(layerEntries()).isEmpty();
        assertThat(cacheFiles()).isEmpty();
        try (Stream<Path> blobs = Files.walk(f.store.root().resolve("blobs"))) {
            assertThat(blobs.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void pruneAll_imageOfARunningContainer_keptWithItsLayers() throws Exception {
        StorePruner.Result r = new StorePruner(f.store).prune(true, Set.of("docker.io/library/app:latest"), false);

        assertThat(r.untagged()).isEmpty();
        assertThat(layerEntries()).hasSize(2 * built.layers().size());
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void prune_whileAnotherKilnHoldsASession_refusesAndRemovesNothing() throws Exception {
        try (LocalStore.Session busy = f.store.session()) {
            assertThatThrownBy(() -> new StorePruner(f.store).prune(true, Set.of(), false))
                    .isInstanceOf(KilnException.class).hasMessageContaining("another kiln is using the store");
        }
        assertThat(f.store.images()).hasSize(1);
        assertThat(layerEntries()).contains("ab".repeat(32));
    }

    @Test
    void unusedLayerDirs_countsExtractedLayersNoNamedImageUses() throws Exception {
        StorePruner pruner = new StorePruner(f.store);
        assertThat(pruner.unusedLayerDirs()).isEqualTo(1);
        f.store.removeImage("docker.io/library/app:latest");
        assertThat(pruner.unusedLayerDirs()).isEqualTo(1 + built.layers().size());
    }
}
