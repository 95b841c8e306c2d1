/**
 * Stages as a DAG: which stage builds on which ({@code FROM stage}, {@code COPY --from},
 * {@code RUN --mount=from=}), each stage's base resolved after ARG expansion (an image reference,
 * {@code scratch} or an earlier stage), {@code --target} pruning, cycle and unknown-target errors.
 * Produces a {@link dev.kiln.builder.plan.BuildPlan} for the engine; touches no network or files.
 */
package dev.kiln.builder.plan;
