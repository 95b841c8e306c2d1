package dev.kiln.oci.layer;

/** {@link HostileLayerTest} with regular files written by the second thread from the first file on. */
class WriterThreadHostileLayerTest extends HostileLayerTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withWriterThread(0);
    }
}
