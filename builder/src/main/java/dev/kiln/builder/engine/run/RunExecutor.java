package dev.kiln.builder.engine.run;

/**
 * Executes RUN steps. The runtime-backed implementation lives with the CLI wiring; tests and
 * builds without RUN use {@link #UNAVAILABLE}.
 */
public interface RunExecutor extends AutoCloseable {

    /**
     * A RUN's exit status (as a shell reports it), whether its changes to the root filesystem are
     * in the upper dir (false: they were lost, and the step must not make a layer), and whether its
     * chown calls were recorded as {@link dev.kiln.runtime.OwnerTags} rather than applied (only
     * root mapped: {@code stat} in the RUN showed root for every file), and the user the RUN's
     * process only pretended to be (it ran as root), whose the files it created are; else null.
     */
    record Result(int exitCode, boolean changesKept, boolean ownersRecorded,
            dev.kiln.builder.snapshot.Owner createdBy) {
        /** A result whose changes went straight into the upper dir. */
        public Result(int exitCode) {
            this(exitCode, true, false, null);
        }

        public Result(int exitCode, boolean changesKept) {
            this(exitCode, changesKept, false, null);
        }

        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    Result run(RunRequest request) throws InterruptedException;

    /**
     * Readies the runtime before the build touches anything, so that a machine where no container
     * can run fails before pulling; returns one line saying how containers will be isolated, or
     * null when there is nothing to say.
     */
    default String prepare() {
        return null;
    }

    /**
     * Readies {@code layers} as a RUN will use them, before a step that needs their listing runs
     * ahead of the RUN: the runtime executor extracts them now (saving their listings on the way),
     * so their blobs are not read once for the listing and again for the RUN. Nothing by default.
     */
    default void prepareLayers(java.util.List<dev.kiln.builder.snapshot.LayerBlob> layers) {}

    /**
     * What to do with a base layer's bytes while a pull downloads them, for a stage that will run
     * a RUN on it: the runtime executor extracts them into the layer directory a RUN uses (kept
     * only once the blob and its diff ID are verified), so the pull and the extraction overlap.
     * Nothing by default.
     */
    default dev.kiln.builder.registry.LayerTap layerTap() {
        return dev.kiln.builder.registry.LayerTap.NONE;
    }

    /**
     * Offers the upper dir of a finished RUN, already written as {@code layer}, to be kept as that
     * layer's extracted directory (saving its removal now and its extraction by a later RUN).
     * True when it was taken: the caller must leave it alone.
     */
    default boolean keepAsLayer(java.nio.file.Path upperDir, dev.kiln.builder.snapshot.LayerBlob layer)
            throws InterruptedException {
        return false;
    }

    @Override
    default void close() {}

    /** For builds where containers cannot run: every RUN fails with this message. */
    static RunExecutor unavailable(String why) {
        return request -> {
            throw new dev.kiln.oci.KilnException("RUN cannot be executed: " + why, null, null);
        };
    }

    RunExecutor UNAVAILABLE = unavailable("no container runtime is available in this build");
}
