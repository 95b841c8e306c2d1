/**
 * Metadata instructions (ENV, CMD, ENTRYPOINT, USER, WORKDIR, EXPOSE, LABEL, …) as changes to the
 * image config, one class each ({@link ConfigChanges} picks it), with the {@code created_by} text
 * BuildKit writes into history ({@link GoFormat}).
 */
package dev.kiln.builder.engine.config;
