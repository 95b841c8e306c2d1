/**
 * Runs processes inside an image's root filesystem in new Linux namespaces, rootless, through JNA:
 * sandboxes, exec specifications, id mappings and results. Knows nothing of Dockerfiles.
 */
package dev.kiln.runtime;
