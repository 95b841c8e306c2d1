/**
 * Filesystem layers: safe extraction of (possibly hostile) layer tars into a directory, and
 * deterministic layer tars written from a directory or a list of entries, with compressed and
 * uncompressed digests computed in one pass. OCI whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq})
 * are understood here and nowhere else.
 */
package dev.kiln.oci.layer;
