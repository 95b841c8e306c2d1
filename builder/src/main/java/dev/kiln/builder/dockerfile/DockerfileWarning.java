package dev.kiln.builder.dockerfile;

/** Something legal but suspicious, with where it is ({@code range} may be null for global ones). */
public record DockerfileWarning(SourceRange range, String message) {

    public DockerfileWarning {
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("warning needs a message");
        }
    }

    /** {@code file:line:column: warning: message}, or just {@code warning: message}. */
    public String render() {
        return (range == null ? "" : range.position() + ": ") + "warning: " + message;
    }
}
