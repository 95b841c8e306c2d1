package dev.kiln.runtime.linux;

/** Message types between the kiln JVM and its spawner JVM (both directions length-framed). */
final class SpawnerProtocol {
    // requests
    static final int SPAWN = 1;

    // responses
    static final int READY = 0;
    static final int STARTED = 1;
    static final int FAILED = 2;
    static final int EXITED = 3;

    /** The op index reported when clone itself failed. */
    static final int OP_CLONE = -1;
    /** The op index reported when the watchdog gave up. */
    static final int OP_WATCHDOG = -2;
    /** The op index reported when the parent's own step (writing id maps) failed. */
    static final int OP_PARENT_STEP = -3;

    private SpawnerProtocol() {}
}
