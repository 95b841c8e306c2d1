/**
 * Where images go from the store: {@link ImageWriter} writes a stored image to any
 * {@link ImageLocation} (a registry, the store under another name, an OCI layout or archive, a
 * docker archive) for {@code kiln push}, {@code save} and {@code copy}; a build's {@code -o}
 * destinations ({@link BuildOutput}) go through the same writer, or to a plain directory
 * ({@link RootfsExport}).
 */
package dev.kiln.builder.output;
