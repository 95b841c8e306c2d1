package dev.kiln.runtime;

import dev.kiln.runtime.linux.Syscalls;
import java.io.IOException;
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
     *
     * <p>{@code volatileUpper}: the upper dir need not be on disk when the container ends, because
     * the caller throws it away or puts it on disk itself ({@link #syncUpper}) before trusting it.
     * Where the kernel has overlay's {@code volatile} option (5.10 and later) the mount then uses
     * it, and the container's end no longer waits for overlay to sync the upper dir's whole file
     * system ({@link RootChanges#VOLATILE_OVERLAY} says so); the work dir is emptied before such a
     * mount (a volatile mount leaves a mark there that refuses the next one).
     */
    record Overlay(List<Path> lowerDirs, Path upperDir, Path workDir, boolean volatileUpper) implements RootFs {
        public Overlay {
            lowerDirs = List.copyOf(lowerDirs);
            Objects.requireNonNull(upperDir, "upperDir");
            Objects.requireNonNull(workDir, "workDir");
        }

        public Overlay(List<Path> lowerDirs, Path upperDir, Path workDir) {
            this(lowerDirs, upperDir, workDir, false);
        }

        /** This overlay with an upper dir the caller throws away or syncs itself (see {@link Overlay}). */
        public Overlay withVolatileUpper() {
            return new Overlay(lowerDirs, upperDir, workDir, true);
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

    /** Whether an overlay with a {@linkplain Overlay#volatileUpper volatile upper dir} is mounted volatile here. */
    static boolean volatileMountsHere() {
        return ExecDir.overlayHasVolatile();
    }

    /**
     * Puts on disk what a container with a {@linkplain Overlay#volatileUpper volatile} upper dir
     * wrote there ({@link RootChanges#VOLATILE_OVERLAY}): syncfs(2) of the upper dir's file system,
     * what overlay does itself when a mount without {@code volatile} ends. Safe from any thread.
     */
    static void syncUpper(Path upperDir) throws IOException {
        Syscalls.syncFileSystem(upperDir);
    }
}
