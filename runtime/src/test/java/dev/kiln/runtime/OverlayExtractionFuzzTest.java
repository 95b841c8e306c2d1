package dev.kiln.runtime;

import dev.kiln.oci.layer.JavaFileOps;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.oci.testing.ExtractionFuzzer;
import dev.kiln.runtime.linux.NativeFileWrites;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer extractor in overlay mode, as the builder unpacks each layer of an image into its own
 * lower directory ({@code LayerDirs}: {@link OverlayWhiteouts}, owners applied when root, those
 * the namespace cannot map kept as {@link OwnerTags}, files written natively), fed
 * generated hostile layers: nothing outside the layer directory may change. The flatten mode is
 * oci-spec's {@code LayerExtractorFuzzTest}; both run as an unprivileged user in
 * {@code HostileLayersAsUserIT}.
 */
class OverlayExtractionFuzzTest {
    @TempDir
    Path work;

    @Test
    void overlayMode_generatedHostileLayers_nothingOutsideTheLayerDirChanges() throws Exception {
        fuzz(-1);
    }

    /** The same with regular files written by the extraction's second thread from the first on. */
    @Test
    void overlayMode_writerThread_generatedHostileLayers_nothingOutsideTheLayerDirChanges() throws Exception {
        fuzz(0);
    }

    private void fuzz(int writerAfter) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        LayerExtractor extractor = new LayerExtractor(LayerExtractor.Options.defaults()
                .withWhiteouts(new OverlayWhiteouts()).withApplyOwnership(root)
                .withFileOps(OwnerTags.extraction(new JavaFileOps()))
                .withFileWrites(NativeFileWrites.load().orElseThrow()).withWriterThread(writerAfter));
        ExtractionFuzzer.Mode overlay = new ExtractionFuzzer.Mode("overlay", 1,
                (layers, dir) -> extractor.extract(new ByteArrayInputStream(layers.get(0)), dir));
        int count = ExtractionFuzzer.count(800);
        ExtractionFuzzer.Report report = ExtractionFuzzer.run(overlay, work, ExtractionFuzzer.seed(), count);
        System.out.println(report);
        report.assertComplete(count);
    }
}
