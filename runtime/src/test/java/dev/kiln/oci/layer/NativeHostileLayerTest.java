package dev.kiln.oci.layer;

import dev.kiln.runtime.linux.NativeFileWrites;

/** {@link HostileLayerTest} with files written through the runtime's native {@link FileWrites}, as layer extraction in kiln writes them. */
class NativeHostileLayerTest extends HostileLayerTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withFileWrites(NativeFileWrites.load().orElseThrow());
    }
}
