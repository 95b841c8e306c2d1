package dev.kiln.builder.snapshot;

import dev.kiln.oci.Compression;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How to write one layer.
 *
 * @param compression gzip (default) or zstd; none for tests
 * @param clampTime   when not null ({@code SOURCE_DATE_EPOCH}), no entry's mtime is later than this
 * @param owners      owners by relative path ({@code a/b}) that override what the disk says, for
 *                    ownership kiln could not set on disk (COPY --chown when not root)
 * @param mapOwnUidToRoot when true, entries owned by this process's uid/gid are recorded as 0:0
 *                    (kiln is not root: it wrote them on behalf of root)
 * @param replacedOwners for a RUN whose chown calls were recorded (only root mapped, so {@code stat}
 *                    showed root): the owner of a regular file at a path in the layers below, or
 *                    empty; an untagged new file that replaced it (not a copy-up) keeps that owner,
 *                    as the tool that wrote it (useradd rewriting /etc/shadow, sed -i) would have
 *                    copied it from stat. Null otherwise.
 */
public record SnapshotOptions(Compression compression, Instant clampTime, Map<String, Owner> owners,
        boolean mapOwnUidToRoot, Function<String, Optional<Owner>> replacedOwners) {

    public SnapshotOptions {
        Objects.requireNonNull(compression, "compression");
        owners = Map.copyOf(owners);
    }

    public static SnapshotOptions gzip() {
        return new SnapshotOptions(Compression.GZIP, null, Map.of(), !ProcessIds.isRoot(), null);
    }

    public SnapshotOptions withOwners(Map<String, Owner> newOwners) {
        return new SnapshotOptions(compression, clampTime, newOwners, mapOwnUidToRoot, replacedOwners);
    }

    public SnapshotOptions withCompression(Compression c) {
        return new SnapshotOptions(c, clampTime, owners, mapOwnUidToRoot, replacedOwners);
    }

    public SnapshotOptions withClampTime(Instant t) {
        return new SnapshotOptions(compression, t, owners, mapOwnUidToRoot, replacedOwners);
    }

    public SnapshotOptions withReplacedOwners(Function<String, Optional<Owner>> lower) {
        return new SnapshotOptions(compression, clampTime, owners, mapOwnUidToRoot, lower);
    }
}
