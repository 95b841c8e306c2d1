/**
 * The build engine: executes a {@link dev.kiln.builder.plan.BuildPlan} stage by stage, one class
 * per instruction's semantics. Metadata instructions change the image config and add a history
 * entry with {@code empty_layer}; COPY, ADD, RUN and a missing WORKDIR make one layer each. Base
 * images come from the local store (pulled when missing), RUN goes through a {@link RunExecutor},
 * results are cached in {@link dev.kiln.builder.cache}. Reports through {@link BuildListener}; never
 * prints.
 */
package dev.kiln.builder.engine;
