package dev.kiln.builder.registry;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.store.ImageRecord;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.Platform;
import dev.kiln.oci.Threads;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        return pull(ref, platform, name, LayerTap.NONE);
    }

    /**
     * Pulls {@code ref} and names it {@code name} in the store; each layer blob downloaded also
     * goes to {@code tap} as it arrives, and its sink is finished with the layer's diff ID once
     * every blob is stored and verified and the config read (abandoned when the pull fails).
     */
    public Pulled pull(Reference ref, Platform platform, String name, LayerTap tap) {
        try (LocalStore.Session session = store.session()) {
            return pullWithFallback(ref, platform, name, tap);
        }
    }

    private Pulled pullWithFallback(Reference ref, Platform platform, String name, LayerTap tap) {
        RegistryException last = null;
        List<String> endpoints = settings.registries().config().endpoints(ref);
        for (int i = 0; i < endpoints.size(); i++) {
            String host = endpoints.get(i);
            boolean more = i < endpoints.size() - 1;
            try {
                return pullFrom(settings.registries().client(host), ref, platform, name, tap);
            } catch (RegistryException e) {
                if (!more || Thread.currentThread().isInterrupted()
                        || !(e.isNotFound() || e.status() == 0 || e.retryable())) { // an interrupted pull tries no mirror
                    throw e;
                }
                LOG.log(Level.INFO, "mirror {0} failed for {1}: {2}; trying the next", host, ref, e.getMessage());
                settings.progress().message("mirror " + host + " failed (" + e.getMessage() + "); trying " + endpoints.get(i + 1));
                last = e;
            }
        }
        throw last;
    }

    private Pulled pullFrom(RegistryClient client, Reference ref, Platform platform, String name, LayerTap tap) {
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
        Map<Descriptor, LayerTap.Sink> sinks = fetchAll(client, repo, blobs, tap);
        finish(sinks, m);
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

    /** Fetches {@code blobs} in parallel (bounded); the sinks of the layers downloaded, by descriptor. */
    private Map<Descriptor, LayerTap.Sink> fetchAll(RegistryClient client, String repo, List<Descriptor> blobs,
            LayerTap tap) {
        BlobFetcher fetcher = new BlobFetcher(client, store, settings.registries().transport().retryPolicy(),
                settings.progress());
        Threads.Owned threads = Threads.owned("kiln-pull");
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), blobs.size()), threads);
        Sinks sinks = new Sinks();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor d : blobs) {
                futures.add(pool.submit(() -> sinks.add(d, fetcher.fetch(repo, d, tap))));
            }
            for (Future<?> f : futures) {
                await(f);
            }
            return sinks.taken();
        } catch (RuntimeException e) {
            sinks.abandon();
            awaitStopped(pool, threads); // the failed pull returns once its downloads have abandoned their sinks
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits (a bounded time) for the interrupted downloads of a failed pull to end, also when the
     * pull itself was interrupted (a build cancelled): a download or extraction left running might
     * outlive the caller and leave its temp file or staging directory behind. The interrupt is kept.
     */
    private static void awaitStopped(ExecutorService pool, Threads.Owned threads) {
        if (!Threads.stopAndJoin(pool, threads, StallGuard.IDLE)) {
            LOG.log(Level.DEBUG, "a download of the failed pull is still running");
        }
    }

    /**
     * The sinks of a pull's downloads. A download that ends after the pull failed (the others are
     * not waited for) abandons its sink here, so that no extraction is left waiting.
     */
    private static final class Sinks {
        private final Map<Descriptor, LayerTap.Sink> open = new LinkedHashMap<>();
        private boolean abandoned;

        synchronized void add(Descriptor blob, LayerTap.Sink sink) {
            if (sink == null) {
                return;
            }
            if (abandoned || open.containsKey(blob)) { // a layer listed twice is extracted once
                sink.abandon();
            } else {
                open.put(blob, sink);
            }
        }

        synchronized Map<Descriptor, LayerTap.Sink> taken() {
            abandoned = true; // no more come
            return new LinkedHashMap<>(open);
        }

        synchronized void abandon() {
            abandoned = true;
            open.values().forEach(LayerTap.Sink::abandon);
            open.clear();
        }
    }

    /**
     * Finishes the sinks of the layers downloaded, each with the diff ID the config (stored and
     * verified by now) claims for it; abandons them all when the config cannot be read or does
     * not list a diff ID for every layer.
     */
    private void finish(Map<Descriptor, LayerTap.Sink> sinks, Manifest m) {
        if (sinks.isEmpty()) {
            return;
        }
        List<Digest> diffIds;
        try {
            diffIds = Json.parseConfig(store.readBlob(m.config().digest())).value().rootfs().diffIds();
        } catch (RuntimeException e) {
            sinks.values().forEach(LayerTap.Sink::abandon);
            return; // whoever uses the image reads the config again and reports what is wrong with it
        }
        for (int i = 0; i < m.layers().size(); i++) {
            LayerTap.Sink sink = sinks.remove(m.layers().get(i));
            if (sink != null && i < diffIds.size() && diffIds.size() == m.layers().size()) {
                sink.finish(diffIds.get(i));
            } else if (sink != null) {
                sink.abandon();
            }
        }
        sinks.values().forEach(LayerTap.Sink::abandon);
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
