package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Objects;

/** Where one of the container's standard streams goes. */
public sealed interface Stdio {
    /** The kiln process's own stream. */
    record Inherit() implements Stdio {}

    /** A pipe to kiln: read it from {@link Execution#stdout()} (or write {@link Execution#stdin()}). */
    record Pipe() implements Stdio {}

    /** A host file (for output: created, appended to when {@code append}, else truncated). */
    record File(Path path, boolean append) implements Stdio {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    /** {@code /dev/null}. */
    record Null() implements Stdio {}

    Stdio INHERIT = new Inherit();
    Stdio PIPE = new Pipe();
    Stdio NULL = new Null();

    static Stdio file(Path path, boolean append) {
        return new File(path, append);
    }
}
