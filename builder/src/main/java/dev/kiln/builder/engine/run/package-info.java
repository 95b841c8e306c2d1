/**
 * RUN: {@link RunStep} builds the command line and cache key, {@link RunExecutor} runs it over the
 * image's layers ({@link RuntimeRunExecutor} through kiln's runtime), and {@link MountStubs} makes
 * the mount points the image lacks without leaving them in the layer.
 */
package dev.kiln.builder.engine.run;
