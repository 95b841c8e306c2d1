/**
 * Layers on disk: turning a directory of changes (a step's overlay upper dir, or the files a COPY
 * wrote) into one deterministic, compressed layer blob ({@link Snapshotter}: overlay's whiteouts and
 * opaque markers become OCI's {@code .wh.} entries, overlay's own xattrs are dropped, owners the
 * process cannot set on disk come from overrides), and the other way: layers unpacked once into the
 * store in overlay format ({@link LayerDirs}), listed ({@link LayerFiles}; a layer is listed while it
 * is extracted, or read without extraction when it is not) or
 * flattened into one directory ({@link RootfsExtractor}).
 */
package dev.kiln.builder.snapshot;
