/**
 * Moves images between the places they can live — registries ({@code docker://}), OCI layout
 * directories and archives, docker archives and kiln's local store ({@code kiln:}) — keeping the
 * manifest, config and layer bytes unchanged wherever the destination format allows.
 */
package dev.kiln.builder.transport;
