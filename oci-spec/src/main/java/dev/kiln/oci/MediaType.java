package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Set;

/**
 * A media type string, with the OCI and Docker types kiln knows as constants. Any string is
 * allowed (artifacts use their own); the helpers say what kiln can do with it.
 *
 * @param value the media type exactly as written in the document, e.g.
 *              {@code application/vnd.oci.image.manifest.v1+json}
 */
public record MediaType(String value) {
    public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
    public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
    public static final MediaType OCI_CONFIG = new MediaType("application/vnd.oci.image.config.v1+json");
    public static final MediaType OCI_LAYOUT_HEADER = new MediaType("application/vnd.oci.layout.header.v1+json");
    public static final MediaType OCI_EMPTY = new MediaType("application/vnd.oci.empty.v1+json");
    public static final MediaType OCI_LAYER = new MediaType("application/vnd.oci.image.layer.v1.tar");
    public static final MediaType OCI_LAYER_GZIP = new MediaType("application/vnd.oci.image.layer.v1.tar+gzip");
    public static final MediaType OCI_LAYER_ZSTD = new MediaType("application/vnd.oci.image.layer.v1.tar+zstd");
    public static final MediaType OCI_LAYER_NONDISTRIBUTABLE =
            new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar");
    public static final MediaType OCI_LAYER_NONDISTRIBUTABLE_GZIP =
            new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
    public static final MediaType OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
            new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    public static final MediaType DOCKER_MANIFEST =
            new MediaType("application/vnd.docker.distribution.manifest.v2+json");
    public static final MediaType DOCKER_MANIFEST_LIST =
            new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
    public static final MediaType DOCKER_CONFIG = new MediaType("application/vnd.docker.container.image.v1+json");
    public static final MediaType DOCKER_LAYER = new MediaType("application/vnd.docker.image.rootfs.diff.tar");
    public static final MediaType DOCKER_LAYER_GZIP =
            new MediaType("application/vnd.docker.image.rootfs.diff.tar.gzip");
    public static final MediaType DOCKER_LAYER_ZSTD =
            new MediaType("application/vnd.docker.image.rootfs.diff.tar.zstd");
    public static final MediaType DOCKER_FOREIGN_LAYER =
            new MediaType("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    public static final MediaType DOCKER_SCHEMA1 =
            new MediaType("application/vnd.docker.distribution.manifest.v1+json");
    public static final MediaType DOCKER_SCHEMA1_SIGNED =
            new MediaType("application/vnd.docker.distribution.manifest.v1+prettyjws");

    private static final Set<MediaType> LAYERS = Set.of(OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD,
            OCI_LAYER_NONDISTRIBUTABLE, OCI_LAYER_NONDISTRIBUTABLE_GZIP, OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
            DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_LAYER_ZSTD, DOCKER_FOREIGN_LAYER);

    public MediaType {
        if (value == null || value.isBlank()) {
            throw new KilnException("a media type must not be empty");
        }
    }

    @JsonCreator
    public static MediaType of(String value) {
        return new MediaType(value);
    }

    /** An image manifest, OCI or Docker v2 schema 2. */
    public boolean isManifest() {
        return equals(OCI_MANIFEST) || equals(DOCKER_MANIFEST);
    }

    /** An image index or Docker manifest list. */
    public boolean isIndex() {
        return equals(OCI_INDEX) || equals(DOCKER_MANIFEST_LIST);
    }

    /** An image config blob, OCI or Docker. */
    public boolean isConfig() {
        return equals(OCI_CONFIG) || equals(DOCKER_CONFIG);
    }

    /** A filesystem layer (tar, possibly compressed), OCI or Docker, distributable or not. */
    public boolean isLayer() {
        return LAYERS.contains(this);
    }

    /** A layer that registries may refuse to carry (foreign or non-distributable). */
    public boolean isNondistributable() {
        return equals(DOCKER_FOREIGN_LAYER) || value.startsWith("application/vnd.oci.image.layer.nondistributable.");
    }

    /** Docker image manifest v2 schema 1, which kiln detects and refuses. */
    public boolean isSchema1() {
        return equals(DOCKER_SCHEMA1) || equals(DOCKER_SCHEMA1_SIGNED);
    }

    /** A Docker (not OCI) media type. */
    public boolean isDocker() {
        return value.startsWith("application/vnd.docker.");
    }

    /** The compression of a layer media type; NONE for an uncompressed tar. */
    public Compression compression() {
        if (value.endsWith("+gzip") || value.endsWith(".tar.gzip")) {
            return Compression.GZIP;
        }
        if (value.endsWith("+zstd") || value.endsWith(".tar.zstd")) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /** The OCI layer media type for {@code compression}. */
    public static MediaType ociLayer(Compression compression) {
        return switch (compression) {
            case NONE -> OCI_LAYER;
            case GZIP -> OCI_LAYER_GZIP;
            case ZSTD -> OCI_LAYER_ZSTD;
        };
    }

    /** The Docker layer media type for {@code compression}. */
    public static MediaType dockerLayer(Compression compression) {
        return switch (compression) {
            case NONE -> DOCKER_LAYER;
            case GZIP -> DOCKER_LAYER_GZIP;
            case ZSTD -> DOCKER_LAYER_ZSTD;
        };
    }

    @JsonValue
    @Override
    public String toString() {
        return value;
    }
}
