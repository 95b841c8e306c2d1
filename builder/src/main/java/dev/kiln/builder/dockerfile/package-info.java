/**
 * The Dockerfile frontend: text to generic {@link dev.kiln.builder.dockerfile.Node}s (directives,
 * continuations, heredocs, source ranges), nodes to typed {@link
 * dev.kiln.builder.dockerfile.Instruction}s, BuildKit's shell word expansion ({@link
 * dev.kiln.builder.dockerfile.ShellLex}), ARG/ENV scoping ({@link
 * dev.kiln.builder.dockerfile.VariableScope}) and {@code .dockerignore} matching. No file system
 * access except the ignore-file loader and context walker; no printing.
 */
package dev.kiln.builder.dockerfile;
