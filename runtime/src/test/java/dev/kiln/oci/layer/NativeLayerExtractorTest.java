package dev.kiln.oci.layer;

import dev.kiln.runtime.linux.NativeFileWrites;

/** {@link LayerExtractorTest} with files written through the runtime's native {@link FileWrites}, as layer extraction in kiln writes them. */
class NativeLayerExtractorTest extends LayerExtractorTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withFileWrites(NativeFileWrites.load().orElseThrow());
    }
}
