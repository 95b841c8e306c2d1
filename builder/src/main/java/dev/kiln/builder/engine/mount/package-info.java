/**
 * {@code RUN --mount}: binds from the context or another stage, persistent cache directories,
 * tmpfs, secrets and ssh agents ({@link RunMounts} resolves them, {@link CacheMounts},
 * {@link SecretDirs} and {@link BuildSecrets} own their storage).
 */
package dev.kiln.builder.engine.mount;
