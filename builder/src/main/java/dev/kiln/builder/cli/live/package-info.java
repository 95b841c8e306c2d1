/**
 * The live view of {@code kiln build} on a terminal, like BuildKit's tty mode: a model of the
 * build's steps fed by build events ({@link dev.kiln.builder.cli.live.BuildView}), a pure renderer
 * from model, clock and terminal width to lines ({@link dev.kiln.builder.cli.live.ViewRenderer}),
 * and a writer that redraws changed lines in place with ANSI escapes
 * ({@link dev.kiln.builder.cli.live.FrameWriter}), driven by one thread
 * ({@link dev.kiln.builder.cli.live.LiveProgress}).
 */
package dev.kiln.builder.cli.live;
