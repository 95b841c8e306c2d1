/**
 * Where COPY and ADD read from: a local directory with its ignore rules ({@link BuildContext}), a tar
 * given on stdin ({@link ContextArchive}), a git repository or an HTTP URL ({@link RemoteContext}),
 * and local archives recognised by content ({@link Archives}).
 */
package dev.kiln.builder.engine.context;
