package dev.kiln.builder.output;

import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
import dev.kiln.builder.registry.TransferSettings;
import dev.kiln.builder.store.CrashPoint;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.Index;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.layout.DockerArchive;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link StoredImage} to any {@link ImageLocation}. Registries and the store receive the
 * very manifest, config and layer bytes; OCI layouts and archives too, except that a Docker v2s2
 * manifest is rewritten with OCI media types (as skopeo does; blobs unchanged); docker archives hold
 * uncompressed layers and no manifest, by their format.
 */
public final class ImageWriter {
    /** The annotation containerd and kiln use for an image's full name in an OCI layout. */
    public static final String IMAGE_NAME = "io.containerd.image.name";

    private final TransferSettings settings;
    private final LocalStore userStore;

    public ImageWriter(TransferSettings settings, LocalStore userStore) {
        this.settings = settings;
        this.userStore = userStore;
    }

    /** Writes {@code image} to {@code dst}; returns the manifest digest written (or the image ID for docker archives). */
    public Digest write(StoredImage image, ImageLocation dst) {
        RawManifest manifest = image.manifest();
        if (dst instanceof ImageLocation.Registry r) {
            return new ImagePusher(settings, image.store())
                    .push(manifest, r.ref(), image.origin());
        }
        if (dst instanceof ImageLocation.Kiln k) {
            if (image.store() != userStore) {
                try {
                    userStore.importTree(image.store(), manifest.descriptor(), false);
                } catch (IOException e) {
                    throw new KilnException("cannot write " + dst + ": " + e.getMessage(), e);
                }
            }
            userStore.putImage(image.record().withName(k.name().toString()));
            return manifest.digest();
        }
        return writeFile(image.store(), manifest, List.of(Reference.parse(image.record().name())), dst);
    }

    /**
     * Writes the image {@code manifest} names (its blobs in {@code store}) to an OCI layout, OCI
     * archive or docker archive: {@code kiln save} and {@code copy}, and a build's {@code -o}. An
     * OCI layout tags it with the location's ref, else the first name's tag, else "latest"; a docker
     * archive lists the location's ref, else every name ({@link #dockerArchiveEntry}). Returns the
     * manifest digest written (the image ID for docker archives).
     */
    public static Digest writeFile(LocalStore store, RawManifest manifest, List<Reference> names, ImageLocation dst) {
        Reference name = names.isEmpty() ? null : names.get(0);
        try {
            if (dst instanceof ImageLocation.OciDir d) {
                return writeLayout(OciLayout.create(d.dir()), store, manifest, refName(d.ref(), name), name);
            }
            if (dst instanceof ImageLocation.OciArchiveFile a) {
                Path work = store.newTempDir("oci-out-");
                try {
                    OciLayout layout = OciLayout.create(work.resolve("layout"));
                    Digest written = writeLayout(layout, store, manifest, refName(a.ref(), name), name);
                    CrashPoint.reached("write");
                    OciArchive.write(layout, a.file());
                    return written;
                } finally {
                    LocalStore.deleteTree(work);
                }
            }
            if (dst instanceof ImageLocation.DockerArchiveFile a) {
                Image img = Image.read(manifest.bytes(), store);
                List<Reference> tags = a.ref() != null ? List.of(Reference.parse(a.ref())) : names;
                DockerArchive.write(List.of(dockerArchiveEntry(tags, img)), a.file());
                return img.id();
            }
            throw new IllegalArgumentException(dst + " is not a file or directory");
        } catch (IOException e) {
            throw new KilnException("cannot write " + dst + ": " + e.getMessage(), e);
        }
    }

    /**
     * An image's entry in a docker archive under {@code names}, as {@code docker save} writes it:
     * each tagged name as a familiar RepoTag with its full name beside it; names by digest only
     * are left out.
     */
    private static DockerArchive.Entry dockerArchiveEntry(List<Reference> names, Image image) {
        List<Reference> tagged = names.stream().filter(n -> n.tag() != null).toList();
        return new DockerArchive.Entry(tagged.stream().map(n -> n.repoTag().orElseThrow()).toList(), image,
                tagged.stream().map(n -> n.withDigest(null).toString()).toList());
    }

    /** The tag an OCI layout entry gets: the one asked for, else the image's tag, else "latest". */
    private static String refName(String asked, Reference name) {
        if (asked != null) {
            return asked;
        }
        return name != null && name.tag() != null ? name.tag() : "latest";
    }

    /** {@code name}, when given, goes into the entry's {@link #IMAGE_NAME} annotation. */
    private static Digest writeLayout(OciLayout layout, LocalStore store, RawManifest stored, String ref,
            Reference name) throws IOException {
        RawManifest manifest = OciConversion.toOci(stored, store);
        Descriptor d = layout.copyFrom(store, manifest.descriptor());
        layout.tag(ref, d);
        Index index = layout.index().value();
        List<Descriptor> entries = new ArrayList<>();
        for (Descriptor e : index.manifests()) {
            boolean ours = name != null && e.digest().equals(d.digest()) && e.refName().filter(ref::equals).isPresent();
            entries.add(ours ? e.withAnnotation(IMAGE_NAME, name.toString()) : e);
        }
        layout.writeIndex(index.withManifests(entries));
        return d.digest();
    }
}
