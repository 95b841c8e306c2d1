/**
 * Brings images into a store from the places they can live — registries ({@code docker://}), OCI
 * layout directories and archives, docker archives and kiln's local store ({@code kiln:}) — keeping
 * the manifest, config and layer bytes unchanged ({@link ImageReader}); {@link ImageCopier} reads
 * into a store and writes out through {@link dev.kiln.builder.output.ImageWriter}.
 */
package dev.kiln.builder.transport;
