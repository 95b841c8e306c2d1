/**
 * COPY and ADD: {@link CopyStep} keys the cache on the sources' content, {@link CopyPlanner} resolves
 * sources into items with Docker's rules (globs, directories' contents, symlinks, ADD archives and
 * URLs), {@link CopyWriter} writes them into a layer directory with Docker's modes, times and owners.
 */
package dev.kiln.builder.engine.copy;
