package dev.kiln.builder.dockerfile;

/**
 * One here-document of a RUN, COPY or ADD line. {@code content} is the body exactly as written
 * (lines with their newlines, leading tabs already removed for {@code <<-}); {@code expand} is false
 * when the delimiter was quoted ({@code <<"EOF"}, {@code <<'EOF'}), which disables variable
 * expansion; {@code fileDescriptor} is the optional number before {@code <<} (0 when absent).
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {

    public Heredoc {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("heredoc needs a name");
        }
        content = content == null ? "" : content;
    }

    Heredoc withContent(String newContent) {
        return new Heredoc(name, newContent, expand, chomp, fileDescriptor);
    }
}
