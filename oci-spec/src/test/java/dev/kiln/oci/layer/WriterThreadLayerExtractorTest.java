package dev.kiln.oci.layer;

/** {@link LayerExtractorTest} with regular files written by the second thread from the first file on. */
class WriterThreadLayerExtractorTest extends LayerExtractorTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withWriterThread(0);
    }
}
