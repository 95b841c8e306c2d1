package dev.kiln.builder.dockerfile;

/**
 * Where a node came from: the file name as the user gave it, the first and last physical line
 * (1-based, inclusive; the last line includes continuation, comment and heredoc lines consumed) and
 * the 1-based column of the instruction keyword.
 */
public record SourceRange(String file, int startLine, int endLine, int column) {

    public SourceRange {
        if (file == null) {
            file = "Dockerfile";
        }
        if (startLine < 1 || endLine < startLine || column < 1) {
            throw new IllegalArgumentException(
                    "bad source range " + startLine + ".." + endLine + ":" + column);
        }
    }

    /** The same range with another column (e.g. to point at a flag). */
    public SourceRange withColumn(int newColumn) {
        return new SourceRange(file, startLine, endLine, Math.max(1, newColumn));
    }

    /** {@code file:line:column}, the prefix of every diagnostic. */
    public String position() {
        return file + ":" + startLine + ":" + column;
    }
}
