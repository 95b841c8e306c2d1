package dev.kiln.builder.cli;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.transport.ImageCopier;
import dev.kiln.builder.transport.ImageReader;
import dev.kiln.builder.output.ImageWriter;

/** The readers and writers one command needs, wired from its flags; closing ends its registry clients. */
final class Transfers implements AutoCloseable {
    final LocalStore store;
    final ImageReader reader;
    final ImageWriter writer;
    private final Registries registries;

    Transfers(GlobalOptions global, RegistryOptions options, ProgressListener progress, int chunkSize) {
        registries = options.registries();
        TransferSettings settings = new TransferSettings(registries, progress, options.jobs, chunkSize);
        store = new LocalStore(global.storeRoot());
        reader = new ImageReader(settings, store, options.platform());
        writer = new ImageWriter(settings, store);
    }

    ImageCopier copier() {
        return new ImageCopier(reader, writer, store);
    }

    @Override
    public void close() {
        registries.close();
    }
}
