package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image manifest, OCI or Docker v2 schema 2 (the two share a shape).
 *
 * @param schemaVersion always 2
 * @param mediaType     may be null: OCI allows it to be absent
 * @param artifactType  for artifacts; may be null
 * @param config        the config blob
 * @param layers        the layer blobs, base first; never null (written even when empty)
 * @param subject       the manifest this one refers to (referrers API); may be null
 * @param annotations   never null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"})
public record Manifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") MediaType mediaType,
        @JsonProperty("artifactType") MediaType artifactType,
        @JsonProperty("config") Descriptor config,
        @JsonProperty("layers") @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public Manifest {
        if (schemaVersion != 2) {
            throw new KilnException("unsupported manifest schemaVersion " + schemaVersion
                    + (schemaVersion == 1 ? " (Docker schema 1)" : ""),
                    "kiln reads image manifests of schema version 2 (OCI or Docker v2s2) only", null);
        }
        Objects.requireNonNull(config, "manifest config");
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Descriptor.immutableOrdered(annotations);
    }

    /** A manifest of {@code mediaType} (OCI or Docker) with these blobs. */
    public static Manifest of(MediaType mediaType, Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, mediaType, null, config, layers, null, null);
    }

    /** The media type, defaulting to OCI's when the document did not say. */
    public MediaType effectiveMediaType() {
        return mediaType == null ? MediaType.OCI_MANIFEST : mediaType;
    }

    public Manifest withMediaType(MediaType newMediaType) {
        return new Manifest(schemaVersion, newMediaType, artifactType, config, layers, subject, annotations);
    }

    public Manifest withConfig(Descriptor newConfig) {
        return new Manifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations);
    }

    public Manifest withLayers(List<Descriptor> newLayers) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations);
    }

    /** A copy with {@code layer} appended on top. */
    public Manifest withLayer(Descriptor layer) {
        List<Descriptor> copy = new ArrayList<>(layers);
        copy.add(layer);
        return withLayers(copy);
    }

    public Manifest withSubject(Descriptor newSubject) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, newSubject, annotations);
    }

    public Manifest withAnnotations(Map<String, String> newAnnotations) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, newAnnotations);
    }

    public Manifest withArtifactType(MediaType newArtifactType) {
        return new Manifest(schemaVersion, mediaType, newArtifactType, config, layers, subject, annotations);
    }
}
