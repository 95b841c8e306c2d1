package dev.kiln.oci.layer;

import dev.kiln.runtime.linux.NativeFileWrites;

/** {@link HostileLayerTest} with files written through the runtime's native {@link FileWrites} by the second thread, as {@code LayerDirs} writes a base layer's. */
class NativeWriterThreadHostileLayerTest extends HostileLayerTest {
    @Override
    LayerExtractor.Options defaults() {
        return super.defaults().withFileWrites(NativeFileWrites.load().orElseThrow()).withWriterThread(0);
    }
}
