package dev.kiln.builder.cli;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.transport.ImageCopier;
import dev.kiln.builder.transport.ImageReader;
import dev.kiln.builder.output.ImageWriter;

/** The readers and writers one command needs, wired from its flags. */
final class Transfers {
    final LocalStore store;
    final ImageReader reader;
    final ImageWriter writer;

    Transfers(GlobalOptions global, RegistryOptions options, ProgressListener progress, int chunkSize) {
        Registries registries = options.registries();
        store = new LocalStore(global.storeRoot());
        reader = new ImageReader(registries, store, options.platform(), progress, options.jobs);
        writer = new ImageWriter(registries, store, progress, options.jobs,
                chunkSize > 0 ? chunkSize : ImagePusher.DEFAULT_CHUNK_SIZE);
    }

    ImageCopier copier() {
        return new ImageCopier(reader, writer, store);
    }
}
