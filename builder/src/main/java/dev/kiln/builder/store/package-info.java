/**
 * kiln's local image store under {@code $KILN_ROOT}: content-addressed, verified blobs written
 * atomically, and an index of image names, both safe for several kiln processes at once and usable
 * by an unprivileged user; {@link StoreChecker} says what is wrong with one and {@link StorePruner}
 * removes what nothing uses.
 */
package dev.kiln.builder.store;
