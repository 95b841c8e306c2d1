package dev.kiln.builder.transport;

import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.ImagePusher;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.registry.Registries;
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
    private final Registries registries;
    private final LocalStore userStore;
    private final ProgressListener progress;
    private final int parallelism;
    private final int chunkSize;

    public ImageWriter(Registries registries, LocalStore userStore, ProgressListener progress, int parallelism,
            int chunkSize) {
        this.registries = registries;
        this.userStore = userStore;
        this.progress = progress;
        this.parallelism = parallelism;
        this.chunkSize = chunkSize;
    }

    /** Writes {@code image} to {@code dst}; returns the manifest digest written (or the image ID for docker archives). */
    public Digest write(StoredImage image, ImageLocation dst) {
        RawManifest manifest = image.manifest();
        Reference name = Reference.parse(image.record().name());
        try {
            if (dst instanceof ImageLocation.Registry r) {
                return new ImagePusher(registries, image.store(), progress, parallelism, chunkSize)
                        .push(manifest, r.ref(), image.origin());
            }
            if (dst instanceof ImageLocation.Kiln k) {
                if (image.store() != userStore) {
                    userStore.importTree(image.store(), manifest.descriptor(), false);
                }
                userStore.putImage(image.record().withName(k.name().toString()));
                return manifest.digest();
            }
            if (dst instanceof ImageLocation.OciDir d) {
                return writeLayout(OciLayout.create(d.dir()), image, manifest, refName(d.ref(), name), name);
            }
            if (dst instanceof ImageLocation.OciArchiveFile a) {
                Path work = image.store().newTempDir("oci-out-");
                try {
                    OciLayout layout = OciLayout.create(work.resolve("layout"));
                    Digest written = writeLayout(layout, image, manifest, refName(a.ref(), name), name);
                    OciArchive.write(layout, a.file());
                    return written;
                } finally {
                    LocalStore.deleteTree(work);
                }
            }
            ImageLocation.DockerArchiveFile a = (ImageLocation.DockerArchiveFile) dst;
            Image img = Image.read(manifest.bytes(), image.store());
            Reference tagged = a.ref() != null ? Reference.parse(a.ref()) : name;
            DockerArchive.write(List.of(dockerArchiveEntry(List.of(tagged), img)), a.file());
            return img.id();
        } catch (IOException e) {
            throw new KilnException("cannot write " + dst + ": " + e.getMessage(), e);
        }
    }

    /**
     * An image's entry in a docker archive under {@code names}, as {@code docker save} writes it:
     * each tagged name as a familiar RepoTag with its full name beside it; names by digest only
     * are left out.
     */
    public static DockerArchive.Entry dockerArchiveEntry(List<Reference> names, Image image) {
        List<Reference> tagged = names.stream().filter(n -> n.tag() != null).toList();
        return new DockerArchive.Entry(tagged.stream().map(n -> n.repoTag().orElseThrow()).toList(), image,
                tagged.stream().map(n -> n.withDigest(null).toString()).toList());
    }

    /** The tag an OCI layout entry gets: the one asked for, else the image's tag, else "latest". */
    private static String refName(String asked, Reference name) {
        if (asked != null) {
            return asked;
        }
        return name.tag() != null ? name.tag() : "latest";
    }

    private static Digest writeLayout(OciLayout layout, StoredImage image, RawManifest stored, String ref,
            Reference name) throws IOException {
        RawManifest manifest = OciConversion.toOci(stored, image.store());
        Descriptor d = layout.copyFrom(image.store(), manifest.descriptor());
        layout.tag(ref, d);
        Index index = layout.index().value();
        List<Descriptor> entries = new ArrayList<>();
        for (Descriptor e : index.manifests()) {
            boolean ours = e.digest().equals(d.digest()) && e.refName().filter(ref::equals).isPresent();
            entries.add(ours ? e.withAnnotation(ImageReader.IMAGE_NAME, name.toString()) : e);
        }
        layout.writeIndex(index.withManifests(entries));
        return d.digest();
    }
}
