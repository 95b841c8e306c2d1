package dev.kiln.builder.transport;

import dev.kiln.builder.output.ImageLocation;
import dev.kiln.builder.output.ImageWriter;
import dev.kiln.builder.output.StoredImage;
import dev.kiln.builder.registry.ImagePuller;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.RegistryClient;
import dev.kiln.builder.registry.RegistryException;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.Platform;
import dev.kiln.oci.layout.DockerArchive;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings images from any {@link ImageLocation} into a {@link LocalStore}, byte for byte: manifests
 * and blobs keep their digests (docker archives excepted: they hold no manifest, so one is made as
 * skopeo makes it).
 */
public final class ImageReader {
    private final TransferSettings settings;
    private final LocalStore userStore;
    private final Platform platform;

    public ImageReader(TransferSettings settings, LocalStore userStore, Platform platform) {
        this.settings = settings;
        this.userStore = userStore;
        this.platform = platform;
    }

    /**
     * Reads the image at {@code src} into {@code into} and names it there. The name is
     * {@code name} if given, else the one the source records.
     */
    public StoredImage read(ImageLocation src, LocalStore into, Reference name) {
        List<StoredImage> all = readAll(src, into, name, true);
        return all.get(0);
    }

    /** Reads every image an archive or layout holds (only the selected one for a registry or ref). */
    public List<StoredImage> readAll(ImageLocation src, LocalStore into, Reference name, boolean one) {
        try {
            if (src instanceof ImageLocation.Registry r) {
                return List.of(pull(r.ref(), into, name));
            }
            if (src instanceof ImageLocation.Kiln k) {
                return List.of(fromUserStore(k.name()));
            }
            if (src instanceof ImageLocation.OciDir d) {
                return fromLayout(OciLayout.open(d.dir()), d.ref(), src, into, name, one);
            }
            if (src instanceof ImageLocation.OciArchiveFile a) {
                Path work = into.newTempDir("oci-archive-");
                try {
                    return fromLayout(OciArchive.extract(a.file(), work.resolve("layout")), a.ref(), src, into,
                            name, one);
                } finally {
                    LocalStore.deleteTree(work);
                }
            }
            return fromDockerArchive((ImageLocation.DockerArchiveFile) src, into, name, one);
        } catch (IOException e) {
            throw new KilnException("cannot read " + src + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads manifest and config of the image at {@code src} without its layers when the source is a
     * registry or the store; other sources are read into a scratch store first.
     */
    public Inspection inspect(ImageLocation src) {
        if (src instanceof ImageLocation.Registry r) {
            return inspectRemote(r.ref());
        }
        if (src instanceof ImageLocation.Kiln k) {
            StoredImage image = fromUserStore(k.name());
            RawManifest m = image.manifest();
            RawManifest top = image.record().index() != null && userStore.hasBlob(image.record().index())
                    ? RawManifest.of(userStore.readBlob(image.record().index()), null) : m;
            return new Inspection(image.record().name(), top, m,
                    userStore.readBlob(m.manifest().value().config().digest()));
        }
        Path tmp = userStore.newTempDir("inspect-");
        try {
            LocalStore scratch = new LocalStore(tmp);
            StoredImage image = readAll(src, scratch, Reference.parse("inspect/image:tmp"), true).get(0);
            RawManifest m = image.manifest();
            RawManifest top = image.record().index() != null
                    ? RawManifest.of(scratch.readBlob(image.record().index()), null) : m;
            return new Inspection(src.toString(), top, m, scratch.readBlob(m.manifest().value().config().digest()));
        } finally {
            LocalStore.deleteTree(tmp);
        }
    }

    private Inspection inspectRemote(Reference ref) {
        RegistryException last = null;
        for (String host : settings.registries().config().endpoints(ref)) {
            try {
                RegistryClient client = settings.registries().client(host);
                RawManifest top = client.getManifest(ref.repository(), ref.manifestReference());
                RawManifest image = top;
                if (top.isIndex()) {
                    Descriptor chosen = top.index().value().find(platform).orElseThrow(() -> new KilnException(
                            ref + " has no image for " + platform, "choose one with --platform", null));
                    image = client.getManifest(ref.repository(), chosen.digest().toString());
                }
                return new Inspection(ref.toString(), top, image,
                        client.readBlob(ref.repository(), image.manifest().value().config()));
            } catch (RegistryException e) {
                last = e;
                if (!(e.isNotFound() || e.status() == 0)) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private StoredImage pull(Reference ref, LocalStore into, Reference name) {
        ImagePuller puller = new ImagePuller(settings, into);
        String storedName = (name != null ? name : ref).toString();
        return new StoredImage(into, puller.pull(ref, platform, storedName).image(), ref);
    }

    private StoredImage fromUserStore(Reference name) {
        return userStore.image(name.toString())
                .map(r -> new StoredImage(userStore, r, Reference.parse(r.name())))
                .orElseThrow(() -> new KilnException("no image named " + name + " in the store " + userStore.root(),
                        "list images with: kiln images", null));
    }

    private List<StoredImage> fromLayout(OciLayout layout, String ref, ImageLocation src, LocalStore into,
            Reference name, boolean one) throws IOException {
        List<Descriptor> roots = new ArrayList<>();
        if (ref != null) {
            Optional<Descriptor> found = layout.resolve(ref);
            if (found.isEmpty()) {
                throw new KilnException("no image '" + ref + "' in " + src, "tags there: " + tagsOf(layout), null);
            }
            roots.add(found.get());
        } else {
            List<Descriptor> all = layout.index().value().manifests();
            if (all.isEmpty()) {
                throw new KilnException(src + " holds no image");
            }
            if (one && all.size() > 1) {
                throw new KilnException(src + " holds " + all.size() + " images; say which one",
                        "tags there: " + tagsOf(layout), null);
            }
            roots.addAll(all);
        }
        List<StoredImage> out = new ArrayList<>();
        for (Descriptor root : roots) {
            into.importTree(layout, root, true);
            Image image = OciLayout.resolveImage(into, root, platform, src.toString());
            RawManifest m = new RawManifest(image.mediaType(), image.manifest().bytes(), image.manifest().digest());
            Reference n = name != null ? name : nameOf(root, src);
            Optional<Descriptor> index = root.mediaType().isIndex() ? Optional.of(root) : Optional.empty();
            out.add(named(into, n, m, index.map(Descriptor::digest).orElse(null)));
        }
        return out;
    }

    private StoredImage named(LocalStore into, Reference name, RawManifest m, dev.kiln.oci.Digest index) {
        var record = into.recordFor(name.toString(), m, index);
        into.putImage(record);
        return new StoredImage(into, record, null);
    }

    private static String tagsOf(OciLayout layout) throws IOException {
        return layout.tags().toString();
    }

    private static Reference nameOf(Descriptor root, ImageLocation src) {
        String full = root.annotations().get(ImageWriter.IMAGE_NAME);
        if (full != null) {
            return Reference.parse(full);
        }
        Optional<String> refName = root.refName();
        if (refName.isPresent() && refName.get().contains("/")) {
            return Reference.parse(refName.get());
        }
        throw new KilnException(src + " does not say what the image is called"
                + refName.map(r -> " (its ref name is just '" + r + "')").orElse(""),
                "name it yourself: kiln copy " + src + " kiln:NAME", null);
    }

    /** The entry with a RepoTag that names {@code wanted} (RepoTags are docker's familiar form, or full names). */
    private static DockerArchive.Entry byName(List<DockerArchive.Entry> entries, Reference wanted) {
        for (DockerArchive.Entry e : entries) {
            for (String tag : e.repoTags()) {
                if (Reference.parse(tag).equals(wanted)) {
                    return e;
                }
            }
        }
        return null;
    }

    private List<StoredImage> fromDockerArchive(ImageLocation.DockerArchiveFile a, LocalStore into, Reference name,
            boolean one) throws IOException {
        Path work = into.newTempDir("docker-archive-");
        try {
            List<DockerArchive.Entry> entries = DockerArchive.read(a.file(), work);
            if (a.ref() != null) {
                DockerArchive.Entry e = DockerArchive.byTag(entries).get(a.ref());
                if (e == null) {
                    e = byName(entries, Reference.parse(a.ref()));
                }
                if (e == null) {
                    throw new KilnException("no image '" + a.ref() + "' in " + a.file(),
                            "tags there: " + DockerArchive.byTag(entries).keySet(), null);
                }
                entries = List.of(e);
            }
            if (one && entries.size() > 1) {
                throw new KilnException(a.file() + " holds " + entries.size() + " images; say which one",
                        "tags there: " + DockerArchive.byTag(entries).keySet(), null);
            }
            List<StoredImage> out = new ArrayList<>();
            for (DockerArchive.Entry e : entries) {
                Image image = e.image();
                into.importTree(image.blobs(), image.descriptor(), false);
                RawManifest m = new RawManifest(image.mediaType(), image.manifest().bytes(), image.manifest().digest());
                List<Reference> names = new ArrayList<>();
                if (name != null) {
                    names.add(name);
                } else {
                    e.repoTags().forEach(t -> names.add(Reference.parse(t)));
                }
                if (names.isEmpty()) {
                    throw new KilnException(a.file() + " has an image without RepoTags",
                            "name it yourself: kiln copy docker-archive:" + a.file() + " kiln:NAME", null);
                }
                for (Reference n : names) {
                    out.add(named(into, n, m, null));
                }
            }
            return out;
        } finally {
            LocalStore.deleteTree(work);
        }
    }
}
