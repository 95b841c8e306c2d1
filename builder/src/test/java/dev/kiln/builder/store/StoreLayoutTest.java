package dev.kiln.builder.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The names of a store's files: stores written by earlier kilns have these, so they must not change. */
class StoreLayoutTest {
    static final Path ROOT = Path.of("/store");
    static final Digest DIFF_ID = Digest.parse("sha256:" + "c".repeat(64));

    @Test
    void everyPlace_isWhereEarlierKilnsPutIt() {
        StoreLayout l = new StoreLayout(ROOT);
        assertThat(l.blobs()).isEqualTo(Path.of("/store/blobs"));
        assertThat(l.imageIndex()).isEqualTo(Path.of("/store/images.json"));
        assertThat(l.imageIndexLock()).isEqualTo(Path.of("/store/images.lock"));
        assertThat(l.gcLock()).isEqualTo(Path.of("/store/gc.lock"));
        assertThat(l.layers()).isEqualTo(Path.of("/store/layers"));
        assertThat(l.layerDir(DIFF_ID)).isEqualTo(Path.of("/store/layers/" + "c".repeat(64)));
        assertThat(l.layerListing(DIFF_ID)).isEqualTo(Path.of("/store/layers/" + "c".repeat(64) + ".listing"));
        assertThat(l.cache()).isEqualTo(Path.of("/store/cache"));
        assertThat(l.cacheMounts()).isEqualTo(Path.of("/store/cache-mounts"));
        assertThat(l.tmp()).isEqualTo(Path.of("/store/tmp"));
    }

    @Test
    void root_isAbsoluteAndNormal_soThatEveryPathIs() {
        Path relative = Path.of("a/../store");
        assertThat(new StoreLayout(relative).root()).isEqualTo(relative.toAbsolutePath().normalize());
        assertThat(new StoreLayout(relative).tmp()).isAbsolute();
    }

    @Test
    void layerEntry_namesALayersDirOrListing_andNothingElse() {
        StoreLayout l = new StoreLayout(ROOT);
        assertThat(StoreLayout.layerEntry(l.layerDir(DIFF_ID)))
                .contains(new StoreLayout.LayerEntry(DIFF_ID.hex(), false));
        assertThat(StoreLayout.layerEntry(l.layerListing(DIFF_ID)))
                .contains(new StoreLayout.LayerEntry(DIFF_ID.hex(), true));
        assertThat(StoreLayout.layerEntry(l.layers().resolve(".extract-123"))).isEmpty();
        assertThat(StoreLayout.layerEntry(l.layers().resolve("C".repeat(64)))).as("not a hex digest").isEmpty();
        assertThat(StoreLayout.layerEntry(l.layers().resolve("c".repeat(63)))).isEmpty();
        assertThat(StoreLayout.layerEntry(l.layers().resolve("c".repeat(64) + ".listing.tmp"))).isEmpty();
    }

    /** Layers unpacked by root over its range sit beside the plain ones; prune and check know both. */
    @Test
    void layerEntry_ofARootRangeLayerDir_isItsLayer() {
        StoreLayout l = new StoreLayout(ROOT);
        assertThat(StoreLayout.layerEntry(l.layers().resolve(DIFF_ID.hex() + "-subuid300000")))
                .contains(new StoreLayout.LayerEntry(DIFF_ID.hex(), false));
        assertThat(StoreLayout.layerEntry(l.layers().resolve(DIFF_ID.hex() + "-subuid"))).isEmpty();
        assertThat(StoreLayout.OWNER_FORM).as("outside root's range namespace").isEmpty();
        assertThat(l.layerDir(DIFF_ID).getFileName().toString()).isEqualTo(DIFF_ID.hex());
    }
}
