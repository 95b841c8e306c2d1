package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.Objects;

/** An extra mount inside the container, at an absolute {@code target} path. */
public sealed interface Mount {
    String target();

    /** A host file or directory bind-mounted (recursively) at {@code target}. */
    record Bind(Path source, String target, boolean readOnly) implements Mount {
        public Bind {
            Objects.requireNonNull(source, "source");
            target = ExecSpec.requireAbsolute(target, "mount target");
        }
    }

    /** A fresh tmpfs at {@code target}; {@code options} as mount(8) takes them, e.g. "size=64m". */
    record Tmpfs(String target, String options) implements Mount {
        public Tmpfs {
            target = ExecSpec.requireAbsolute(target, "mount target");
            options = options == null ? "" : options;
        }
    }

    static Bind bind(Path source, String target, boolean readOnly) {
        return new Bind(source, target, readOnly);
    }

    static Tmpfs tmpfs(String target) {
        return new Tmpfs(target, "");
    }
}
