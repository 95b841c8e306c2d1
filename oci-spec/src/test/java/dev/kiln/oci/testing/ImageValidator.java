package dev.kiln.oci.testing;

import dev.kiln.oci.BlobSource;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.DigestMismatchException;
import dev.kiln.oci.DigestingInputStream;
import dev.kiln.oci.Image;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.Index;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.OciLayout;

import dev.kiln.oci.layer.TarReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that an image is internally consistent, the way go-containerregistry's
 * {@code validate.Image} does: every digest and size matches its bytes, each layer decompresses to
 * a readable tar whose digest is the config's diff ID, media types agree with each other. Use it on
 * every image a test produces. Throws {@link AssertionError} listing all problems found.
 */
public final class ImageValidator {
    private final List<String> problems = new ArrayList<>();

    private ImageValidator() {
    }

    /** Validates one image; the blobs are read from the image's own blob source. */
    public static void validate(Image image) throws IOException {
        ImageValidator v = new ImageValidator();
        v.checkImage(image, "image " + image.manifest().digest());
        v.finish();
    }

    /**
     * Validates a whole OCI layout: the oci-layout file, every index.json entry and everything it
     * references (nested indexes, manifests, configs, layers).
     */
    public static void validate(OciLayout layout) throws IOException {
        ImageValidator v = new ImageValidator();
        String version = Json.readTree(Files.readAllBytes(layout.dir().resolve("oci-layout")))
                .path("imageLayoutVersion").asText();
        v.check("1.0.0".equals(version), "oci-layout imageLayoutVersion is '" + version + "'");
        Index index = layout.index().value();
        for (Descriptor entry : index.manifests()) {
            v.checkDescriptorTree(layout, entry, "index.json entry " + entry.digest());
        }
        v.finish();
    }

    private void checkDescriptorTree(BlobSource blobs, Descriptor d, String where) throws IOException {
        byte[] bytes = checkBlob(blobs, d, where);
        if (bytes == null) {
            return;
        }
        MediaType detected = Json.detectMediaType(bytes);
        check(detected.equals(d.mediaType()), where + ": descriptor says " + d.mediaType() + ", document is "
                + detected);
        if (detected.isIndex()) {
            Index index = Json.parseIndex(bytes).value();
            for (Descriptor child : index.manifests()) {
                checkDescriptorTree(blobs, child, where + " > " + child.digest());
            }
        } else if (detected.isManifest()) {
            Image image = Image.read(bytes, blobs);
            checkImage(image, where);
            if (d.platform() != null) {
                check(d.platform().os().equals(image.platform().os())
                        && d.platform().architecture().equals(image.platform().architecture()),
                        where + ": index says platform " + d.platform() + ", config says " + image.platform());
            }
        }
    }

    private byte[] checkBlob(BlobSource blobs, Descriptor d, String where) throws IOException {
        if (!blobs.has(d.digest())) {
            problems.add(where + ": blob " + d.digest() + " is missing");
            return null;
        }
        byte[] bytes = blobs.readAll(d.digest());
        check(bytes.length == d.size(), where + ": size " + d.size() + " but blob has " + bytes.length);
        check(d.digest().recompute(bytes).equals(d.digest()), where + ": blob does not hash to " + d.digest());
        return bytes;
    }

    private void checkImage(Image image, String where) throws IOException {
        Manifest m = image.manifest().value();
        ImageConfig config = image.config().value();
        boolean docker = m.effectiveMediaType().isDocker();
        check(m.config().size() == image.config().size(), where + ": config size " + m.config().size()
                + " but config has " + image.config().size() + " bytes");
        check(m.config().mediaType().equals(docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG)
                || !m.config().mediaType().isConfig(), where + ": config media type " + m.config().mediaType()
                + " in a " + m.effectiveMediaType() + " manifest");
        check(config.os() != null && config.architecture() != null, where + ": config lacks os or architecture");
        check(config.created() == null || config.createdInstant().isPresent(),
                where + ": created '" + config.created() + "' is not RFC 3339");
        List<Digest> diffIds = config.rootfs().diffIds();
        check("layers".equals(config.rootfs().type()), where + ": rootfs.type is " + config.rootfs().type());
        check(diffIds.size() == m.layers().size(), where + ": " + m.layers().size() + " layers but "
                + diffIds.size() + " diff_ids");
        long nonEmptyHistory = config.history().stream().filter(h -> !h.emptyLayer()).count();
        check(config.history().isEmpty() || nonEmptyHistory == diffIds.size(),
                where + ": history has " + nonEmptyHistory + " layer entries for " + diffIds.size() + " layers");
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor layer = m.layers().get(i);
            String lw = where + " layer " + i + " (" + layer.digest() + ")";
            check(layer.mediaType().isLayer(), lw + ": not a layer media type: " + layer.mediaType());
            check(layer.mediaType().isDocker() == docker || !layer.mediaType().isLayer(),
                    lw + ": " + layer.mediaType() + " in a " + m.effectiveMediaType() + " manifest");
            if (i < diffIds.size()) {
                checkLayer(image, layer, diffIds.get(i), lw);
            }
        }
    }

    private void checkLayer(Image image, Descriptor layer, Digest diffId, String where) throws IOException {
        if (!image.blobs().has(layer.digest())) {
            check(layer.mediaType().isNondistributable(), where + ": blob missing");
            return;
        }
        try (InputStream blob = image.openLayer(layer);
             DigestingInputStream compressed = DigestingInputStream.forVerifying(blob, layer.digest());
             DigestingInputStream plain = new DigestingInputStream(
                     layer.mediaType().compression().decompress(compressed))) {
            TarArchiveInputStream tar = new TarReader(plain);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                check(!entry.getName().startsWith("/") && !entry.getName().contains("../"),
                        where + ": entry name '" + entry.getName() + "' is absolute or climbs out");
            }
            plain.transferTo(java.io.OutputStream.nullOutputStream());
            compressed.transferTo(java.io.OutputStream.nullOutputStream());
            check(compressed.size() == layer.size(), where + ": size " + layer.size() + " but blob has "
                    + compressed.size());
            check(compressed.digest().equals(layer.digest()), where + ": blob hashes to " + compressed.digest());
            check(plain.digest().equals(diffId), where + ": uncompressed hashes to " + plain.digest()
                    + ", config says diff ID " + diffId);
        } catch (IOException e) {
            problems.add(where + ": unreadable: " + e);
        } catch (DigestMismatchException e) {
            problems.add(where + ": " + e.getMessage()); // the store's own check on read
        }
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private void finish() {
        if (!problems.isEmpty()) {
            throw new AssertionError("invalid image:\n  " + String.join("\n  ", problems));
        }
    }
}
