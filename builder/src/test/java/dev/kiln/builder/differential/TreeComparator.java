package dev.kiln.builder.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compares kiln's image tree with buildah's path by path: presence, type, mode, owner, size,
 * content digest, link target, hardlink group and mtime.
 *
 * <p>Times of files made during the build cannot match (kiln clamps them to
 * {@code SOURCE_DATE_EPOCH}, buildah keeps the wall clock), so an mtime counts as equal when kiln's
 * is {@code sourceDateEpoch} and buildah's is at or after {@code buildStart}.
 */
record TreeComparator(long sourceDateEpoch, long buildStart) {

    /** Compares with exact mtimes. */
    static TreeComparator exact() {
        return new TreeComparator(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    List<Difference> compare(ImageTree kiln, ImageTree buildah) {
        List<Difference> out = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(kiln.entries().keySet());
        paths.addAll(buildah.entries().keySet());
        for (String path : paths) {
            FsEntry k = kiln.get(path);
            FsEntry b = buildah.get(path);
            if (k == null) {
                out.add(new Difference("file " + path + " only-in-buildah", describe(b)));
            } else if (b == null) {
                out.add(new Difference("file " + path + " only-in-kiln", describe(k)));
            } else {
                compareEntry(k, b, out);
            }
        }
        return out;
    }

    private void compareEntry(FsEntry k, FsEntry b, List<Difference> out) {
        String p = "file " + k.path() + " ";
        if (k.type() != b.type()) {
            out.add(new Difference(p + "type", "kiln " + k.type() + ", buildah " + b.type()));
            return;
        }
        field(out, p + "mode", k, b, e -> String.format("%04o", e.mode()));
        field(out, p + "uid", k, b, FsEntry::uid);
        field(out, p + "gid", k, b, FsEntry::gid);
        field(out, p + "size", k, b, FsEntry::size);
        field(out, p + "content", k, b, FsEntry::digest);
        field(out, p + "link", k, b, FsEntry::linkTarget);
        field(out, p + "hardlinks", k, b, FsEntry::hardlinks);
        if (k.mtime() != b.mtime() && !(k.mtime() == sourceDateEpoch && b.mtime() >= buildStart)) {
            out.add(new Difference(p + "mtime", "kiln " + k.mtime() + ", buildah " + b.mtime()));
        }
    }

    private static void field(List<Difference> out, String key, FsEntry k, FsEntry b, Function<FsEntry, ?> get) {
        Object kv = get.apply(k);
        Object bv = get.apply(b);
        if (!Objects.equals(kv, bv)) {
            out.add(new Difference(key, "kiln " + kv + ", buildah " + bv));
        }
    }

    private static String describe(FsEntry e) {
        return String.format("%s %04o %d:%d%s", e.type(), e.mode(), e.uid(), e.gid(),
                e.linkTarget() == null ? "" : " -> " + e.linkTarget());
    }
}
