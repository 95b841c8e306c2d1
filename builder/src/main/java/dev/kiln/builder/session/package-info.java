/**
 * The build API: a {@link BuildSession} over one local store plans and runs {@link BuildRequest}s
 * and returns {@link BuildResult}s, reporting through listeners. The CLI and a Maven plugin both
 * drive it; nothing here prints or exits.
 */
package dev.kiln.builder.session;
