package dev.kiln.builder.cli;

import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.runtime.OverlayWhiteouts;
import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Image layers for {@code kiln run}, each extracted once in overlay format into
 * {@code <store>/layers/<diffID hex>} (the layout the build engine uses too) and shared as lower
 * dirs. Extracted into a temp dir and renamed, so a directory that exists is complete.
 */
final class ContainerLayers {
    private final Path root;
    private final LocalStore store;

    ContainerLayers(Path root, LocalStore store) {
        this.root = root;
        this.store = store;
    }

    Path dir(Descriptor layer, Digest diffId) {
        Path dir = root.resolve(diffId.hex());
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path tmp = null;
        try {
            Files.createDirectories(root);
            tmp = Files.createTempDirectory(root, ".extract-");
            LayerExtractor extractor = new LayerExtractor(LayerExtractor.Options.defaults()
                    .withWhiteouts(new OverlayWhiteouts()).withApplyOwnership(Syscalls.geteuid() == 0));
            try (InputStream in = store.openBlob(layer.digest())) {
                extractor.extract(in, tmp);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException raced) {
                LocalStore.deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            if (tmp != null) {
                LocalStore.deleteTree(tmp);
            }
            throw new KilnException("cannot extract layer " + layer.digest() + " into " + root + ": "
                    + e.getMessage(), e);
        }
    }
}
