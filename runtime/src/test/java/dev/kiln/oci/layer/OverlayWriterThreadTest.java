package dev.kiln.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.OverlayWhiteouts;
import dev.kiln.runtime.linux.NativeFileWrites;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overlay mode ({@code LayerDirs}') with regular files written by the extraction's second thread. */
class OverlayWriterThreadTest {
    @TempDir
    Path root;

    /**
     * The whiteout puts a device at {@code d/x} in a directory the run made: a later file of that
     * name must replace it as on one thread, not be queued as if nothing could be there.
     */
    @Test
    void whiteoutInMadeDirectory_thenFileOfItsName_replacesTheWhiteout() throws Exception {
        extract(new TarBuilder().dir("d", 0755).file("d/a", "a").file("d/.wh.x", "").file("d/x", "file").file("d/b", "b"));
        assertThat(Files.isRegularFile(root.resolve("d/x"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("d/x")).hasContent("file");
        assertThat(root.resolve("d/b")).hasContent("b");
    }

    /** The same where the whiteout's own directories are made for it (found by the overlay fuzz, seed 6383651121514536603). */
    @Test
    void whiteoutInDirectoriesMadeForIt_thenFileOfItsName_replacesTheWhiteout() throws Exception {
        extract(new TarBuilder().file("a", "a").file("n/m/.wh.x", "").file("n/m/x", "file"));
        assertThat(Files.isRegularFile(root.resolve("n/m/x"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("n/m/x")).hasContent("file");
    }

    private void extract(TarBuilder tar) throws Exception {
        new LayerExtractor(LayerExtractor.Options.defaults().withWhiteouts(new OverlayWhiteouts())
                .withFileWrites(NativeFileWrites.load().orElseThrow()).withWriterThread(0)).extract(tar.stream(), root);
    }
}
