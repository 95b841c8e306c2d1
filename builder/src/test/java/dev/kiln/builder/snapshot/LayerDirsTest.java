package dev.kiln.builder.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.builder.store.StoreLayout;
import dev.kiln.oci.Compression;
import dev.kiln.oci.layout.DirBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerDirsTest {
    @TempDir Path tmp;

    private LayerBlob snapshot(DirBlobStore blobs, Path dir) {
        return new Snapshotter(blobs).snapshot(dir, SnapshotOptions.gzip().withCompression(Compression.NONE));
    }

    @Test
    void adopt_asRoot_upperDirBecomesTheLayerDir_andIsNotExtractedAgain() throws IOException {
        assumeTrue(ProcessIds.isRoot(), "adopting needs kiln to be root (the tests run as root in CI)");
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        Path upper = Files.createDirectories(tmp.resolve("tmp/run-1"));
        Files.writeString(Files.createDirectories(upper.resolve("many")).resolve("f1"), "1");
        LayerBlob layer = snapshot(blobs, upper);
        LayerDirs dirs = new LayerDirs(new StoreLayout(tmp), blobs);

        assertThat(dirs.adopt(upper, layer)).isTrue();

        Path dir = tmp.resolve("layers").resolve(layer.diffId().hex());
        assertThat(upper).doesNotExist();
        assertThat(dir.resolve("many/f1")).hasContent("1");
        assertThat(dirs.dir(layer)).isEqualTo(dir);
    }

    @Test
    void adopt_layerAlreadyExtracted_refusesAndLeavesTheUpperDir() throws IOException {
        assumeTrue(ProcessIds.isRoot(), "adopting needs kiln to be root (the tests run as root in CI)");
        DirBlobStore blobs = new DirBlobStore(Files.createDirectories(tmp.resolve("blobs")));
        Path upper = Files.createDirectories(tmp.resolve("tmp/run-1"));
        Files.writeString(upper.resolve("f"), "x");
        LayerBlob layer = snapshot(blobs, upper);
        LayerDirs dirs = new LayerDirs(new StoreLayout(tmp), blobs);
        Path extracted = dirs.dir(layer);

        assertThat(dirs.adopt(upper, layer)).isFalse();

        assertThat(upper.resolve("f")).hasContent("x");
        assertThat(extracted.resolve("f")).hasContent("x");
    }
}
