package dev.kiln.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of an image config's history.
 *
 * @param created    RFC 3339; may be null
 * @param author     may be null
 * @param createdBy  the command, e.g. {@code RUN /bin/sh -c make # buildkit}; may be null
 * @param comment    may be null
 * @param emptyLayer true when the step made no layer (written only when true)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"created", "author", "created_by", "comment", "empty_layer"})
public record History(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("comment") String comment,
        @JsonProperty("empty_layer") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean emptyLayer) {

    public static History of(String created, String createdBy) {
        return new History(created, null, createdBy, null, false);
    }

    public History withCreated(String newCreated) {
        return new History(newCreated, author, createdBy, comment, emptyLayer);
    }

    public History withAuthor(String newAuthor) {
        return new History(created, newAuthor, createdBy, comment, emptyLayer);
    }

    public History withCreatedBy(String newCreatedBy) {
        return new History(created, author, newCreatedBy, comment, emptyLayer);
    }

    public History withComment(String newComment) {
        return new History(created, author, createdBy, newComment, emptyLayer);
    }

    public History withEmptyLayer(boolean newEmptyLayer) {
        return new History(created, author, createdBy, comment, newEmptyLayer);
    }
}
