/**
 * The build cache: what each build step produced (the image config after it and its layers), kept
 * in the local store under {@code cache/} by a key that chains the parent step's key with
 * everything the step depends on. Entries are written atomically; two kiln processes may share it.
 */
package dev.kiln.builder.cache;
