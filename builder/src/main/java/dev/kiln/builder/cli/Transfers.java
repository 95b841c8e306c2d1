package dev.kiln.builder.cli;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.TransferSettings;
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
        TransferSettings settings = new TransferSettings(options.registries(), progress, options.jobs, chunkSize);
        store = new LocalStore(global.storeRoot());
        reader = new ImageReader(settings, store, options.platform());
        writer = new ImageWriter(settings, store);
    }

    ImageCopier copier() {
        return new ImageCopier(reader, writer, store);
    }
}
