package dev.kiln.oci.layer;

import dev.kiln.oci.testing.ExtractionFuzzer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layer extractor in flatten mode (whiteouts delete; layers stacked in one root, as
 * {@code COPY --from} and {@code -o type=local} use it) fed generated hostile layers: nothing
 * outside the root may change. The overlay mode is fuzzed in the runtime module
 * ({@code OverlayExtractionFuzzTest}); both run as an unprivileged user in {@code HostileLayersAsUserIT}.
 */
class LayerExtractorFuzzTest {
    @TempDir
    Path work;

    @Test
    void flattenMode_generatedHostileLayers_nothingOutsideTheRootChanges() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        LayerExtractor extractor = new LayerExtractor(LayerExtractor.Options.defaults().withApplyOwnership(root));
        ExtractionFuzzer.Mode flatten = new ExtractionFuzzer.Mode("flatten", 3, (layers, dir) -> {
            for (byte[] layer : layers) {
                extractor.extract(new ByteArrayInputStream(layer), dir);
            }
        });
        int count = ExtractionFuzzer.count(1000);
        ExtractionFuzzer.Report report = ExtractionFuzzer.run(flatten, work, ExtractionFuzzer.seed(), count);
        System.out.println(report);
        assertThat(report.cases()).isEqualTo(count);
        assertThat(report.outcomes()).containsKeys("extracted", "refused");
    }
}
