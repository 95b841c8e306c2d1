/**
 * Filesystem layers: safe extraction of (possibly hostile) layer tars into a directory, and
 * deterministic layer tars written from a directory or a list of entries, with compressed and
 * uncompressed digests computed in one pass. Whiteouts have their owners here: OCI's names
 * ({@code .wh.NAME}, {@code .wh..wh..opq}) in {@link dev.kiln.oci.layer.Whiteouts}, overlayfs's
 * on-disk form (0/0 character devices, {@code user.overlay.opaque=y}) in
 * {@link dev.kiln.oci.layer.OverlayMarkers}; nothing else spells them.
 */
package dev.kiln.oci.layer;
