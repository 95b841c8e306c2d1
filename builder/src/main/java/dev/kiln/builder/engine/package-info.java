/**
 * The build engine: executes a {@link dev.kiln.builder.plan.BuildPlan} stage by stage
 * ({@link Builder}, {@link StageExecutor}) over the services one build shares
 * ({@link BuildServices}). Each concern lives in a sub-package: {@code config} (metadata
 * instructions as config changes with their history text), {@code copy} (COPY and ADD: planning,
 * writing, ADD URLs), {@code run} (RUN: command line, cache key, the {@link
 * dev.kiln.builder.engine.run.RunExecutor} that runs it), {@code mount} ({@code RUN --mount}: binds,
 * caches, secrets, ssh) and {@code context} (local, tar, git and URL build contexts). Layers are
 * made by {@link dev.kiln.builder.snapshot}, results cached in {@link dev.kiln.builder.cache}, images
 * kept in {@link dev.kiln.builder.store}. Reports through {@link BuildListener}; never prints.
 */
package dev.kiln.builder.engine;
