package dev.kiln.builder.engine;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.LayerTap;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Base images from the local store, pulled when the store has no image of that name for the
 * platform (as {@code docker build} without {@code --pull}). A rebuild with the base present
 * touches no registry. A pulled base stays in the store under its normalised name, so
 * {@code kiln images} lists it as {@code docker images} does after a build (also when it came
 * through a mirror).
 */
public final class StoreImageSource implements ImageSource {
    private final LocalStore store;
    private final ImagePuller puller;
    private final boolean alwaysPull;

    /** @param puller null to never pull (offline) */
    public StoreImageSource(LocalStore store, ImagePuller puller, boolean alwaysPull) {
        this.store = store;
        this.puller = puller;
        this.alwaysPull = alwaysPull;
    }

    @Override
    public BaseImage resolve(String reference, Platform platform) {
        return resolveWith(reference, platform, puller, LayerTap.NONE);
    }

    @Override
    public BaseImage resolve(String reference, Platform platform, ProgressListener progress) {
        return resolve(reference, platform, progress, LayerTap.NONE);
    }

    @Override
    public BaseImage resolve(String reference, Platform platform, ProgressListener progress, LayerTap tap) {
        return resolveWith(reference, platform, puller == null ? null : puller.withProgress(progress), tap);
    }

    private BaseImage resolveWith(String reference, Platform platform, ImagePuller puller, LayerTap tap) {
        Reference ref = Reference.parse(reference);
        String name = storeName(ref);
        Optional<ImageRecord> local = alwaysPull ? Optional.empty() : store.image(name)
                .filter(r -> store.isComplete(r) && matches(r, platform));
        ImageRecord record;
        if (local.isPresent()) {
            record = local.get();
        } else if (puller != null) {
            record = puller.pull(ref, platform, name, tap).image();
        } else {
            throw new KilnException("image " + name + " is not in the local store", "pull it first", null);
        }
        return load(store, record);
    }

    /**
     * The name a base is kept under: its normalised reference; by digest without the tag, as
     * Docker keeps {@code python:3.9@sha256:…} (listed as {@code python <none>}).
     */
    static String storeName(Reference ref) {
        return ref.digest() == null ? ref.toString()
                : new Reference(ref.registry(), ref.repository(), null, ref.digest()).toString();
    }

    private boolean matches(ImageRecord r, Platform platform) {
        Platform p = Json.parseConfig(store.readBlob(r.config())).value().platform();
        return p.os().equals(platform.os()) && p.architecture().equals(platform.architecture());
    }

    /** The base image a store record names: its config and layers with diff IDs. */
    public static BaseImage load(LocalStore store, ImageRecord record) {
        Manifest m = store.readManifest(record.manifest(), record.mediaType()).manifest().value();
        ImageConfig config = Json.parseConfig(store.readBlob(m.config().digest())).value();
        List<Digest> diffIds = config.rootfs().diffIds();
        if (diffIds.size() != m.layers().size()) {
            throw new KilnException("image " + record.name() + " is inconsistent: " + m.layers().size()
                    + " layers but " + diffIds.size() + " diff IDs", "pull it again", null);
        }
        List<LayerBlob> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor d = m.layers().get(i);
            layers.add(new LayerBlob(d, diffIds.get(i)));
        }
        return new BaseImage(record.name(), m.config().digest(), config, layers);
    }
}
