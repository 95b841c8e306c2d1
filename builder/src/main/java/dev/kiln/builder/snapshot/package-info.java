/**
 * Turns a directory of changes (a step's overlay upper dir, or the files a COPY wrote) into one
 * deterministic, compressed layer blob in a blob store, computing the compressed digest and the
 * diff ID in the same pass. Overlay's whiteouts and opaque markers become OCI's {@code .wh.} entries;
 * overlay's own xattrs are dropped; owners the process cannot set on disk come from overrides.
 */
package dev.kiln.builder.snapshot;
