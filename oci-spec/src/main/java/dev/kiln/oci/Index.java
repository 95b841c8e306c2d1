package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image index (OCI) or manifest list (Docker); also the {@code index.json} of an OCI layout.
 *
 * @param schemaVersion always 2
 * @param mediaType     may be null: OCI allows it to be absent
 * @param artifactType  may be null
 * @param manifests     never null (written even when empty)
 * @param subject       may be null
 * @param annotations   never null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"})
public record Index(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") MediaType mediaType,
        @JsonProperty("artifactType") MediaType artifactType,
        @JsonProperty("manifests") @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public Index {
        if (schemaVersion != 2) {
            throw new KilnException("unsupported index schemaVersion " + schemaVersion);
        }
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Descriptor.immutableOrdered(annotations);
    }

    public static Index of(MediaType mediaType, List<Descriptor> manifests) {
        return new Index(2, mediaType, null, manifests, null, null);
    }

    /** The media type, defaulting to OCI's when the document did not say. */
    public MediaType effectiveMediaType() {
        return mediaType == null ? MediaType.OCI_INDEX : mediaType;
    }

    /** The first entry whose platform satisfies {@code wanted}; entries without platform are skipped. */
    public Optional<Descriptor> find(Platform wanted) {
        return manifests.stream()
                .filter(d -> d.platform() != null && wanted.matches(d.platform()))
                .findFirst();
    }

    /** The first entry annotated with {@code org.opencontainers.image.ref.name} = {@code ref}. */
    public Optional<Descriptor> findByRefName(String ref) {
        return manifests.stream().filter(d -> d.refName().filter(ref::equals).isPresent()).findFirst();
    }

    public Index withManifests(List<Descriptor> newManifests) {
        return new Index(schemaVersion, mediaType, artifactType, newManifests, subject, annotations);
    }

    /** A copy with {@code entry} appended. */
    public Index withManifest(Descriptor entry) {
        List<Descriptor> copy = new ArrayList<>(manifests);
        copy.add(entry);
        return withManifests(copy);
    }

    public Index withMediaType(MediaType newMediaType) {
        return new Index(schemaVersion, newMediaType, artifactType, manifests, subject, annotations);
    }

    public Index withAnnotations(Map<String, String> newAnnotations) {
        return new Index(schemaVersion, mediaType, artifactType, manifests, subject, newAnnotations);
    }

    public Index withSubject(Descriptor newSubject) {
        return new Index(schemaVersion, mediaType, artifactType, manifests, newSubject, annotations);
    }
}
