package dev.kiln.builder.registry;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Index;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.Platform;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Pulls an image into the local store: resolves the reference (trying mirrors first), picks the
 * platform's manifest out of an index, downloads config and layers in parallel (bounded), and names
 * the image in the store last, so an interrupted pull leaves no half image behind.
 */
public final class ImagePuller {
    private static final System.Logger LOG = System.getLogger(ImagePuller.class.getName());

    private final TransferSettings settings;
    private final LocalStore store;

    public ImagePuller(TransferSettings settings, LocalStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** This puller, reporting to {@code progress} instead. */
    public ImagePuller withProgress(ProgressListener progress) {
        return new ImagePuller(settings.withProgress(progress), store);
    }

    /** What a pull found: the record now in the store and where it came from. */
    public record Pulled(ImageRecord image, RawManifest top, String endpoint) {}

    public Pulled pull(Reference ref, Platform platform) {
        return pull(ref, platform, ref.toString());
    }

    /** Pulls {@code ref} and names it {@code name} in the store. */
    public Pulled pull(Reference ref, Platform platform, String name) {
        try (LocalStore.Session session = store.session()) {
            return pullWithFallback(ref, platform, name);
        }
    }

    private Pulled pullWithFallback(Reference ref, Platform platform, String name) {
        RegistryException last = null;
        List<String> endpoints = settings.registries().config().endpoints(ref);
        for (int i = 0; i < endpoints.size(); i++) {
            String host = endpoints.get(i);
            boolean more = i < endpoints.size() - 1;
            try {
                return pullFrom(settings.registries().client(host), ref, platform, name);
            } catch (RegistryException e) {
                if (!more || !(e.isNotFound() || e.status() == 0 || e.retryable())) {
                    throw e;
                }
                LOG.log(Level.INFO, "mirror {0} failed for {1}: {2}; trying the next", host, ref, e.getMessage());
                settings.progress().message("mirror " + host + " failed (" + e.getMessage() + "); trying " + endpoints.get(i + 1));
                last = e;
            }
        }
        throw last;
    }

    private Pulled pullFrom(RegistryClient client, Reference ref, Platform platform, String name) {
        String repo = ref.repository();
        RawManifest top = client.getManifest(repo, ref.manifestReference());
        RawManifest image = top;
        if (top.isIndex()) {
            Descriptor chosen = selectPlatform(top.index().value(), platform, ref);
            settings.progress().message("selected " + platform + " manifest " + chosen.digest() + " from the index");
            image = client.getManifest(repo, chosen.digest().toString());
            if (!image.mediaType().isManifest()) {
                throw new RegistryException(ref + ": the " + platform + " entry is a " + image.mediaType()
                        + ", not an image manifest", null);
            }
        } else if (!top.mediaType().isManifest()) {
            throw new RegistryException(ref + " is a " + top.mediaType() + ", not an image", null);
        }
        Manifest m = image.manifest().value();
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(m.config());
        blobs.addAll(m.layers());
        fetchAll(client, repo, blobs);
        if (top.isIndex()) {
            store.putBytes(top.bytes(), top.digest(), "index of " + ref);
        }
        store.putBytes(image.bytes(), image.digest(), "manifest of " + ref);
        ImageRecord record = store.recordFor(name, image, top.isIndex() ? top.digest() : null);
        store.putImage(record);
        return new Pulled(record, top, client.base().getAuthority());
    }

    /** The index entry for {@code platform}, or an error listing what the index offers. */
    static Descriptor selectPlatform(Index index, Platform platform, Reference ref) {
        return index.find(platform).orElseThrow(() -> {
            String offered = index.manifests().stream()
                    .map(d -> d.platform() == null ? "(no platform)" : d.platform().toString())
                    .collect(Collectors.joining(", "));
            return new RegistryException(ref + " has no image for " + platform + "; it offers: " + offered,
                    "choose one with --platform OS/ARCH[/VARIANT]");
        });
    }

    private void fetchAll(RegistryClient client, String repo, List<Descriptor> blobs) {
        BlobFetcher fetcher = new BlobFetcher(client, store, settings.registries().transport().retryPolicy(),
                settings.progress());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), blobs.size()), r -> {
            Thread t = new Thread(r, "kiln-pull");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor d : blobs) {
                futures.add(pool.submit(() -> fetcher.fetch(repo, d)));
            }
            for (Future<?> f : futures) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void await(Future<?> f) {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new KilnException("transfer failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted", e);
        }
    }
}
