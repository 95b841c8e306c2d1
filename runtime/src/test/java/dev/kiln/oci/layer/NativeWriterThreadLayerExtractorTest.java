package dev.kiln.oci.layer;

import dev.kiln.runtime.linux.NativeFileWrites;

/** {@link LayerExtractorTest} with files written through the runtime's native {@link FileWrites} by the second thread, as {@code LayerDirs} writes a base layer's. */
class NativeWriterThreadLayerExtractorTest extends LayerExtractorTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withFileWrites(NativeFileWrites.load().orElseThrow()).withWriterThread(0);
    }
}
