/**
 * File-system chores every module shares: removing directory trees (temp dirs, extracted
 * layers, staging outputs) without following symbolic links, and publishing files atomically and
 * durably (fsync, rename, fsync of the directory).
 */
package dev.kiln.oci.files;
