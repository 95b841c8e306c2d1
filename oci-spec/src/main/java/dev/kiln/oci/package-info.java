/**
 * OCI image-spec values (digests, media types, descriptors, manifests, indexes, configs) and the
 * media that hold images on disk: OCI layout directories, OCI archives and docker archives.
 * Knows nothing of registries, Dockerfiles or namespaces.
 */
package dev.kiln.oci;
