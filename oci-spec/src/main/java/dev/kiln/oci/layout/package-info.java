/**
 * Images at rest: content-addressed blob directories, OCI image layout directories, OCI archives
 * (a tar of a layout) and docker archives ({@code docker save} / {@code docker load} format).
 * Every blob written is verified against its digest and lands by atomic rename.
 */
package dev.kiln.oci.layout;
