package dev.kiln.oci.layer;

import java.util.List;

/**
 * What an extraction did.
 *
 * @param uncompressedSize  bytes of uncompressed tar read
 * @param entries           tar entries processed
 * @param skipped           entries or attributes not applied, with the reason (device nodes when not
 *                          permitted, xattrs that need privileges), at most 100 listed
 * @param ownershipFailures files whose owner could not be set (expected when not root)
 */
public record ExtractResult(long uncompressedSize, int entries, List<String> skipped,
                            int ownershipFailures) {
    public ExtractResult {
        skipped = List.copyOf(skipped);
    }
}
