/**
 * File-system chores every module shares: removing directory trees (temp dirs, extracted
 * layers, staging outputs) without following symbolic links.
 */
package dev.kiln.oci.files;
