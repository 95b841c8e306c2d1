package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Points at content by digest: a manifest in an index, a config or layer in a manifest.
 *
 * @param mediaType    the type of the content pointed at
 * @param digest       the content's digest
 * @param size         the content's length in bytes
 * @param urls         where else the content may be fetched from (foreign layers); never null
 * @param annotations  never null; insertion order is kept
 * @param platform     for index entries; may be null
 * @param artifactType for artifact manifests; may be null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType"})
public record Descriptor(
        @JsonProperty("mediaType") MediaType mediaType,
        @JsonProperty("digest") Digest digest,
        @JsonProperty("size") @JsonInclude(JsonInclude.Include.ALWAYS) long size,
        @JsonProperty("urls") List<String> urls,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("platform") Platform platform,
        @JsonProperty("artifactType") MediaType artifactType) {

    /** The annotation naming a manifest's tag in an OCI layout's index.json. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        Objects.requireNonNull(mediaType, "descriptor mediaType");
        Objects.requireNonNull(digest, "descriptor digest");
        if (size < 0) {
            throw new KilnException("descriptor of " + digest + " has a negative size " + size);
        }
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : immutableOrdered(annotations);
    }

    public static Descriptor of(MediaType mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, null, null, null, null);
    }

    /** The descriptor of {@code document} with its raw bytes' digest and length. */
    public static Descriptor of(MediaType mediaType, Parsed<?> document) {
        return of(mediaType, document.digest(), document.size());
    }

    static Map<String, String> immutableOrdered(Map<String, String> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The {@code org.opencontainers.image.ref.name} annotation, if present. */
    public Optional<String> refName() {
        return Optional.ofNullable(annotations.get(REF_NAME));
    }

    public Descriptor withMediaType(MediaType newMediaType) {
        return new Descriptor(newMediaType, digest, size, urls, annotations, platform, artifactType);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform, artifactType);
    }

    /** A copy with one annotation added or replaced. */
    public Descriptor withAnnotation(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(annotations);
        copy.put(key, value);
        return withAnnotations(copy);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, urls, annotations, newPlatform, artifactType);
    }

    public Descriptor withUrls(List<String> newUrls) {
        return new Descriptor(mediaType, digest, size, newUrls, annotations, platform, artifactType);
    }

    public Descriptor withArtifactType(MediaType newArtifactType) {
        return new Descriptor(mediaType, digest, size, urls, annotations, platform, newArtifactType);
    }
}
