package dev.kiln.oci.layer;

import dev.kiln.runtime.linux.NativeFileWrites;

/** {@link LayerExtractorFuzzTest} with files written through the runtime's native {@link FileWrites}, as layer extraction in kiln writes them. */
class NativeLayerExtractorFuzzTest extends LayerExtractorFuzzTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withFileWrites(NativeFileWrites.load().orElseThrow());
    }
}
