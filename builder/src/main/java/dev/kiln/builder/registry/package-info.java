/**
 * Talks to OCI distribution registries over HTTP: references, credentials and auth challenges,
 * retries, manifest negotiation, verified blob transfer, pull and push. Never prints; reports
 * progress through {@link dev.kiln.builder.progress.ProgressListener}.
 */
package dev.kiln.builder.registry;
