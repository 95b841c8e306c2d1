package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code rootfs} of an image config: the digests of the uncompressed layer tars, base first.
 *
 * @param type    always {@code layers}
 * @param diffIds never null; written even when empty
 */
@JsonPropertyOrder({"type", "diff_ids"})
public record RootFs(
        @JsonProperty("type") String type,
        @JsonProperty("diff_ids") @JsonInclude(JsonInclude.Include.ALWAYS) List<Digest> diffIds) {

    public static final RootFs EMPTY = new RootFs("layers", List.of());

    public RootFs {
        type = type == null ? "layers" : type;
        diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }

    public static RootFs of(List<Digest> diffIds) {
        return new RootFs("layers", diffIds);
    }

    /** A copy with {@code diffId} appended. */
    public RootFs withDiffId(Digest diffId) {
        List<Digest> copy = new ArrayList<>(diffIds);
        copy.add(diffId);
        return new RootFs(type, copy);
    }

    public RootFs withDiffIds(List<Digest> newDiffIds) {
        return new RootFs(type, newDiffIds);
    }
}
