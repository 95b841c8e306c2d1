package dev.kiln.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The user and group id maps of the user namespace kiln runs in, as {@code /proc/self/uid_map}
 * states them. Outside any user namespace (real root) the map is the identity over all ids.
 */
public record IdMapping(List<Range> uids, List<Range> gids, boolean setgroupsAllowed) {

    /** {@code count} ids from {@code inside} map to {@code outside} on the host. */
    public record Range(long inside, long outside, long count) {
        boolean isHostRootAside() {
            return outside == 0 && inside != 0;
        }
    }

    public IdMapping {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    public static IdMapping current() {
        try {
            String setgroups = Files.readString(Path.of("/proc/self/setgroups")).trim();
            return new IdMapping(parse(Path.of("/proc/self/uid_map")),
                    parse(Path.of("/proc/self/gid_map")), "allow".equals(setgroups));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Range> parse(Path file) throws IOException {
        List<Range> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                out.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        return out;
    }

    /** True outside any user namespace: every id maps to itself. */
    public boolean isInitial() {
        return uids.size() == 1 && uids.get(0).inside() == 0 && uids.get(0).outside() == 0
                && uids.get(0).count() == 4294967295L;
    }

    /**
     * True when host uid 0 is mapped at an id other than 0: kiln is real root over its subordinate
     * range ({@link Userns.MappingKind#ROOT_RANGE}), with host root kept at the id after the range.
     */
    public boolean mapsHostRootAside() {
        return hostRootAside().isPresent();
    }

    /** The uid host root has here when {@link #mapsHostRootAside}: files root owns show it. */
    public java.util.OptionalLong hostRootAside() {
        return uids.stream().filter(Range::isHostRootAside).mapToLong(Range::inside).findFirst();
    }

    /** The gid host root's group has here when {@link #mapsHostRootAside}. */
    public java.util.OptionalLong hostRootGroupAside() {
        return gids.stream().filter(Range::isHostRootAside).mapToLong(Range::inside).findFirst();
    }

    /** These maps without the host root id a {@link #mapsHostRootAside} mapping keeps aside. */
    public IdMapping withoutHostRoot() {
        return new IdMapping(uids.stream().filter(r -> !r.isHostRootAside()).toList(),
                gids.stream().filter(r -> !r.isHostRootAside()).toList(), setgroupsAllowed);
    }

    /** True when only one uid is mapped (no {@code newuidmap} range). */
    public boolean isSingle() {
        return uids.stream().mapToLong(Range::count).sum() <= 1;
    }

    public boolean mapsUid(long uid) {
        return maps(uids, uid);
    }

    public boolean mapsGid(long gid) {
        return maps(gids, gid);
    }

    private static boolean maps(List<Range> ranges, long id) {
        for (Range r : ranges) {
            if (id >= r.inside() && id < r.inside() + r.count()) {
                return true;
            }
        }
        return false;
    }
}
