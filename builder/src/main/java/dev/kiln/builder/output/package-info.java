/** Where a built image goes besides the store: {@code -o type=local} as a plain directory ({@link RootfsExport}). */
package dev.kiln.builder.output;
