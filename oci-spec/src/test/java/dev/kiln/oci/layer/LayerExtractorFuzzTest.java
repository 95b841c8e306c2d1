package dev.kiln.oci.layer;

import dev.kiln.oci.testing.ExtractionFuzzer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * The layer extractor fed generated hostile tars ({@link ExtractionFuzzer}): nothing outside the
 * root may change. Flatten mode (whiteouts delete; layers stacked in one root, as
 * {@code COPY --from} and {@code -o type=local} use it) and plain-tar mode ({@code .wh.} names are
 * files, owners only recorded: {@code ADD} of an archive, a tar build context). The overlay mode is
 * the runtime module's {@code OverlayExtractionFuzzTest}; all run as an unprivileged user in
 * {@code HostileLayersAsUserIT}.
 */
class LayerExtractorFuzzTest {
    /**
     * The options every extraction here starts from: java.nio's; the runtime module runs these
     * tests again with its native {@link FileWrites}.
     */
    LayerExtractor.Options defaults() {
        return LayerExtractor.Options.defaults();
    }

    @TempDir
    Path work;

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @Test
    void flattenMode_generatedHostileLayers_nothingOutsideTheRootChanges() throws Exception {
        LayerExtractor extractor = new LayerExtractor(defaults().withApplyOwnership(ROOT));
        fuzz(new ExtractionFuzzer.Mode("flatten", 3, (layers, dir) -> {
            for (byte[] layer : layers) {
                extractor.extract(new ByteArrayInputStream(layer), dir);
            }
        }), 800);
    }

    @Test
    void plainTarMode_generatedHostileArchives_nothingOutsideTheRootChanges() throws Exception {
        LayerExtractor extractor = new LayerExtractor(defaults()
                .withWhiteouts(WhiteoutHandler.none()).withApplyOwnership(false).withApplyXattrs(false));
        fuzz(new ExtractionFuzzer.Mode("plain tar", 1,
                (layers, dir) -> extractor.extract(new ByteArrayInputStream(layers.get(0)), dir)), 400);
    }

    private void fuzz(ExtractionFuzzer.Mode mode, int defaultCount) throws Exception {
        int count = ExtractionFuzzer.count(defaultCount);
        ExtractionFuzzer.Report report = ExtractionFuzzer.run(mode, work, ExtractionFuzzer.seed(), count);
        System.out.println(report);
        report.assertComplete(count);
    }
}
