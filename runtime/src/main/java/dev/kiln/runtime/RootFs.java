package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The root filesystem of an execution: an overlay over layer directories, or a plain directory. */
public sealed interface RootFs {

    /**
     * An overlay mount. {@code lowerDirs} are listed bottom to top (the base image's first layer
     * first, as in an image manifest); each is in overlay format (whiteouts and opaque directories
     * as oci-spec's {@code OverlayMarkers} says). What the process changes
     * lands in {@code upperDir}; {@code workDir} is overlay's scratch dir on the same filesystem as
     * {@code upperDir}. Both are created if missing. With no lower dirs the upper dir is the whole
     * root.
     */
    record Overlay(List<Path> lowerDirs, Path upperDir, Path workDir) implements RootFs {
        public Overlay {
            lowerDirs = List.copyOf(lowerDirs);
            Objects.requireNonNull(upperDir, "upperDir");
            Objects.requireNonNull(workDir, "workDir");
        }
    }

    /** A directory used as the root as it is: changes go straight into it. */
    record Directory(Path dir) implements RootFs {
        public Directory {
            Objects.requireNonNull(dir, "dir");
        }
    }

    static Overlay overlay(List<Path> lowerDirsBottomToTop, Path upperDir, Path workDir) {
        return new Overlay(lowerDirsBottomToTop, upperDir, workDir);
    }

    static Directory directory(Path dir) {
        return new Directory(dir);
    }
}
