package dev.kiln.builder.registry;

import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Manifest;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pushes an image (a manifest, or an index with its manifests) from the local store to a registry:
 * each blob is checked with HEAD first, mounted from another repository of the same registry when
 * possible, else uploaded (one PUT, or PATCH chunks for big blobs); manifests go last, children
 * before the index, each with its own media type, so the registry never sees a dangling reference.
 */
public final class ImagePusher {
    private final TransferSettings settings;
    private final LocalStore store;

    public ImagePusher(TransferSettings settings, LocalStore store) {
        this.settings = settings;
        this.store = store;
    }

    /**
     * Pushes {@code top} (whose blobs and child manifests are in the store) to {@code dest}.
     *
     * @param mountFrom a reference on which the blobs may already exist (cross-repository mount), or null
     * @return the digest of the pushed top-level manifest
     */
    public Digest push(RawManifest top, Reference dest, Reference mountFrom) {
        RegistryClient client = settings.registries().client(dest.apiHost());
        String repo = dest.repository();
        String from = mountFrom != null && mountFrom.registry().equals(dest.registry())
                && !mountFrom.repository().equals(repo) ? mountFrom.repository() : null;
        List<RawManifest> children = new ArrayList<>();
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        if (top.isIndex()) {
            for (Descriptor d : top.index().value().manifests()) {
                RawManifest child = store.readManifest(d.digest(), d.mediaType());
                children.add(child);
                collectBlobs(child.manifest().value(), blobs);
            }
        } else {
            collectBlobs(top.manifest().value(), blobs);
        }
        pushBlobs(client, repo, from, new ArrayList<>(blobs.values()));
        for (RawManifest child : children) {
            client.putManifest(repo, child.digest().toString(), child);
        }
        String reference = dest.tag() != null ? dest.tag() : top.digest().toString();
        client.putManifest(repo, reference, top);
        settings.progress().message("pushed " + dest.withDigest(null) + " " + top.digest());
        return top.digest();
    }

    private static void collectBlobs(Manifest m, Map<Digest, Descriptor> out) {
        out.putIfAbsent(m.config().digest(), m.config());
        for (Descriptor l : m.layers()) {
            if (!l.mediaType().isNondistributable()) {
                out.putIfAbsent(l.digest(), l);
            }
        }
    }

    private void pushBlobs(RegistryClient client, String repo, String from, List<Descriptor> blobs) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallelism(), Math.max(1, blobs.size())), r -> {
            Thread t = new Thread(r, "kiln-push");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor d : blobs) {
                futures.add(pool.submit(() -> pushBlob(client, repo, from, d)));
            }
            for (Future<?> f : futures) {
                ImagePuller.await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void pushBlob(RegistryClient client, String repo, String from, Descriptor d) {
        String id = d.digest().shortHex();
        if (client.blobSize(repo, d.digest(), true).isPresent()) {
            settings.progress().on(new ProgressEvent.Finished(id, "already exists"));
            return;
        }
        settings.progress().on(new ProgressEvent.Started(id, "upload", d.size()));
        URI session;
        if (from != null) {
            Optional<URI> refused = client.mountBlob(repo, d.digest(), from);
            if (refused.isEmpty()) {
                settings.progress().on(new ProgressEvent.Finished(id, "mounted from " + from));
                return;
            }
            session = refused.get();
        } else {
            session = client.startUpload(repo);
        }
        if (d.size() > settings.chunkSize()) {
            client.uploadChunked(repo, session, d.digest(), store.blobPath(d.digest()), settings.chunkSize());
        } else {
            client.uploadMonolithic(repo, session, d.digest(), store.blobPath(d.digest()));
        }
        settings.progress().on(new ProgressEvent.Advanced(id, d.size(), d.size()));
        settings.progress().on(new ProgressEvent.Finished(id, "pushed"));
    }
}
