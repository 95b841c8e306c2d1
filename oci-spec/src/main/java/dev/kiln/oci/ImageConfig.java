package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The image config blob (OCI image config / Docker container image v1), in the field order of the
 * OCI image spec.
 *
 * @param created      RFC 3339 time the image was created, as written; may be null
 * @param author       may be null
 * @param architecture e.g. {@code amd64}
 * @param os           e.g. {@code linux}
 * @param osVersion    {@code os.version}; may be null
 * @param osFeatures   {@code os.features}; never null
 * @param variant      e.g. {@code v8}; may be null
 * @param config       the defaults for running a container; never null
 * @param rootfs       the layers' diff IDs; never null
 * @param history      one entry per step, including those that made no layer; never null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"created", "author", "architecture", "os", "os.version", "os.features", "variant",
        "config", "rootfs", "history"})
public record ImageConfig(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") @JsonInclude(JsonInclude.Include.ALWAYS) ContainerConfig config,
        @JsonProperty("rootfs") @JsonInclude(JsonInclude.Include.ALWAYS) RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    public ImageConfig {
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        config = config == null ? ContainerConfig.EMPTY : config;
        rootfs = rootfs == null ? RootFs.EMPTY : rootfs;
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** An empty config for {@code platform}: no layers, no history. */
    public static ImageConfig empty(Platform platform) {
        return new ImageConfig(null, null, platform.architecture(), platform.os(), platform.osVersion(),
                platform.osFeatures(), platform.variant(), ContainerConfig.EMPTY, RootFs.EMPTY, List.of());
    }

    /** The platform this config declares. */
    public Platform platform() {
        return new Platform(architecture == null ? "unknown" : architecture, os == null ? "unknown" : os,
                osVersion, osFeatures, variant);
    }

    /** {@link #created} as an instant, if present and well-formed. */
    public Optional<Instant> createdInstant() {
        if (created == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(created).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Formats an instant as Docker does: RFC 3339 in UTC, nanoseconds without trailing zeros. */
    public static String formatTime(Instant instant) {
        return instant.toString();
    }

    public ImageConfig withCreated(String newCreated) {
        return new ImageConfig(newCreated, author, architecture, os, osVersion, osFeatures, variant, config,
                rootfs, history);
    }

    public ImageConfig withCreated(Instant newCreated) {
        return withCreated(formatTime(newCreated));
    }

    public ImageConfig withAuthor(String newAuthor) {
        return new ImageConfig(created, newAuthor, architecture, os, osVersion, osFeatures, variant, config,
                rootfs, history);
    }

    public ImageConfig withPlatform(Platform p) {
        return new ImageConfig(created, author, p.architecture(), p.os(), p.osVersion(), p.osFeatures(),
                p.variant(), config, rootfs, history);
    }

    public ImageConfig withConfig(ContainerConfig newConfig) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, newConfig,
                rootfs, history);
    }

    public ImageConfig withRootfs(RootFs newRootfs) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config,
                newRootfs, history);
    }

    public ImageConfig withHistory(List<History> newHistory) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config,
                rootfs, newHistory);
    }

    /** A copy with a layer appended: its diff ID to rootfs and {@code entry} to history. */
    public ImageConfig withLayer(Digest diffId, History entry) {
        Objects.requireNonNull(diffId, "diffId");
        List<History> h = new ArrayList<>(history);
        h.add(entry.withEmptyLayer(false));
        return withRootfs(rootfs.withDiffId(diffId)).withHistory(h);
    }

    /** A copy with a history entry that made no layer ({@code empty_layer: true}). */
    public ImageConfig withEmptyLayerHistory(History entry) {
        List<History> h = new ArrayList<>(history);
        h.add(entry.withEmptyLayer(true));
        return withHistory(h);
    }
}
