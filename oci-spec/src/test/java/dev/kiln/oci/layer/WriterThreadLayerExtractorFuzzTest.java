package dev.kiln.oci.layer;

/** {@link LayerExtractorFuzzTest} with regular files written by the second thread from the first file on. */
class WriterThreadLayerExtractorFuzzTest extends LayerExtractorFuzzTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withWriterThread(0);
    }
}
