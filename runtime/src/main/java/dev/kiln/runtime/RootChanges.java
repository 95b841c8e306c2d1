package dev.kiln.runtime;

/** How the changes a process made to its root filesystem were kept, as {@link ExecResult#changes()} says. */
public enum RootChanges {
    /** overlayfs wrote them into the upper dir as they happened. */
    OVERLAY,
    /**
     * As {@link #OVERLAY}, through a mount with overlay's {@code volatile} option: the changes are
     * in the upper dir but perhaps not on disk yet; {@link RootFs#syncUpper} puts them there.
     */
    VOLATILE_OVERLAY,
    /**
     * The process ran in a private copy of its root; a tree walk compared the copy with its state
     * at start and moved the differences into the upper dir, in overlay format.
     */
    TREE_DIFF,
    /** The root was a plain directory ({@link RootFs.Directory}), changed in place. */
    IN_PLACE,
    /** Nothing kept them: the process had no root filesystem of kiln's. */
    NONE
}
