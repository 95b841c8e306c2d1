/**
 * {@code RUN --mount}: binds from the context or another stage, persistent cache directories,
 * tmpfs, secrets and ssh agents ({@link RunMounts} resolves them, {@link CacheMounts},
 * {@link SecretDirs} and {@link BuildSecrets} own their storage, {@link HeldDir} is a directory
 * a step holds under a lock).
 */
package dev.kiln.builder.engine.mount;
