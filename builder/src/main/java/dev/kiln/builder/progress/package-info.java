/**
 * Progress events that library code emits (blob started, advanced, finished; plain messages) and
 * the listener interface the CLI implements to render them. No printing happens here.
 */
package dev.kiln.builder.progress;
