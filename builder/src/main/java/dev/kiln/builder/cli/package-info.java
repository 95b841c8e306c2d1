/** The {@code kiln} command line: the only package that touches picocli or prints to the terminal. */
package dev.kiln.builder.cli;
