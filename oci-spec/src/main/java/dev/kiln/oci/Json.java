package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * kiln's one JSON mapper and the only place documents are parsed and written. Unknown fields are
 * ignored when reading; since every parsed document keeps its raw bytes ({@link Parsed}), nothing
 * read is ever re-serialised to compute a digest. Writing (only for documents kiln creates) uses
 * the OCI/Docker field names, omits absent and empty values as Docker does, sorts map keys as Go
 * does, and is compact.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Json() {
    }

    /**
     * The shared mapper, for JSON that is not an image document (registry responses, auth files).
     * Do not reconfigure it.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses {@code bytes} into {@code type}, keeping the bytes and their sha256 digest. */
    public static <T> Parsed<T> parse(byte[] bytes, Class<T> type) {
        return Parsed.of(read(bytes, type), bytes);
    }

    public static Parsed<Manifest> parseManifest(byte[] bytes) {
        refuseSchema1(bytes);
        return parse(bytes, Manifest.class);
    }

    public static Parsed<Index> parseIndex(byte[] bytes) {
        return parse(bytes, Index.class);
    }

    public static Parsed<ImageConfig> parseConfig(byte[] bytes) {
        return parse(bytes, ImageConfig.class);
    }

    /** Serialises a document kiln creates, once, and keeps the bytes and digest. */
    public static <T> Parsed<T> encode(T value) {
        return Parsed.of(value, write(value));
    }

    /** Reads any JSON into {@code type}; errors become a {@link KilnException} naming the type. */
    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof KilnException kiln) {
                throw kiln;
            }
            throw invalid(type, e);
        } catch (IOException e) {
            throw invalid(type, e);
        }
    }

    public static JsonNode readTree(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw invalid(JsonNode.class, e);
        }
    }

    /** Compact JSON bytes of {@code value}. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new KilnException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Indented JSON, for showing to people. */
    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KilnException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * The media type of a manifest or index document: its {@code mediaType} field when present,
     * otherwise guessed from its shape ({@code manifests} → OCI index, {@code config} → OCI
     * manifest, {@code schemaVersion: 1} → Docker schema 1).
     */
    public static MediaType detectMediaType(byte[] bytes) {
        JsonNode root = readTree(bytes);
        if (!root.isObject()) {
            throw new KilnException("not a manifest: the document is not a JSON object");
        }
        JsonNode mediaType = root.get("mediaType");
        if (mediaType != null && mediaType.isTextual() && !mediaType.asText().isEmpty()) {
            return MediaType.of(mediaType.asText());
        }
        if (root.path("schemaVersion").asInt() == 1) {
            return MediaType.DOCKER_SCHEMA1;
        }
        if (root.has("manifests")) {
            return MediaType.OCI_INDEX;
        }
        if (root.has("config") || root.has("layers")) {
            return MediaType.OCI_MANIFEST;
        }
        throw new KilnException("not a manifest: no mediaType, manifests or config field");
    }

    private static void refuseSchema1(byte[] bytes) {
        if (detectMediaType(bytes).isSchema1()) {
            throw schema1();
        }
    }

    /** The error for a Docker schema 1 manifest. */
    public static KilnException schema1() {
        return new KilnException("Docker image manifest schema 1 is not supported",
                "schema 1 was deprecated in 2017; re-push the image with a current Docker, buildah or skopeo", null);
    }

    private static KilnException invalid(Class<?> type, IOException e) {
        String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return new KilnException("invalid " + type.getSimpleName() + " JSON: " + detail, e);
    }
}
