package dev.kiln.oci.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random hostile layer tars for the extraction fuzzer: mixes of directories, files, symlinks
 * (relative, absolute, chains, to {@code ..}), hardlinks (to earlier, later and outside entries),
 * whiteouts and opaque markers, device nodes and fifos, {@code ..} and absolute names, duplicate
 * entries, parents replaced mid-archive by symlinks or files, long (PAX) names and xattrs.
 *
 * <p>Names come from a small pool so that entries collide, replace each other's parents and go
 * through each other's links. Absolute link targets only ever name places inside the fuzzer's own
 * sandbox ({@code outside}) and relative ones climb at most a few levels, so that an extractor
 * bug, if there is one, damages the sandbox (where it is detected) and not the machine: a link to
 * {@code /} followed by an opaque marker would otherwise empty the host's root when run as root.
 * Device nodes use harmless numbers (null, zero, an unconfigured loop device).
 */
public final class HostileTars {
    /** One tar entry. {@code type} is a tar typeflag; {@code link} the link target, if any. */
    public record Entry(String name, byte type, String link, int mode, String content, int uid,
                        Map<String, String> xattrs) {
        @Override
        public String toString() {
            String kind = switch (type) {
                case TarArchiveEntry.LF_DIR -> "dir";
                case TarArchiveEntry.LF_SYMLINK -> "symlink";
                case TarArchiveEntry.LF_LINK -> "hardlink";
                case TarArchiveEntry.LF_CHR -> "chardev";
                case TarArchiveEntry.LF_BLK -> "blockdev";
                case TarArchiveEntry.LF_FIFO -> "fifo";
                default -> "file";
            };
            return String.format("%-8s %04o uid=%d %s%s%s", kind, mode, uid, quote(name),
                    link == null ? "" : " -> " + quote(link), xattrs.isEmpty() ? "" : " xattrs=" + xattrs.keySet());
        }

        private static String quote(String s) {
            return s.length() > 60 ? "\"" + s.substring(0, 20) + "…(" + s.length() + " chars)\"" : "\"" + s + "\"";
        }
    }

    /** Short names, and the names of the sandbox's own entries (so that a path redirected outside hits them). */
    private static final String[] POOL = {"k", "m", "q", "kq", "sub", "lnk", "canary-dir", "canary-file", "inner", "d2"};
    private static final String LONG = "L".repeat(150);
    private static final int[] DIR_MODES = {0755, 0755, 0700, 0500, 0, 0777, 01777, 02755};
    private static final int[] FILE_MODES = {0644, 0644, 0600, 0400, 0, 0777, 04755, 02711};
    private static final int[] UIDS = {0, 0, 1, 4242, 65534};

    private final Random random;
    private final List<String> outside;
    private final List<String> used = new ArrayList<>();
    private final List<String> usedFiles = new ArrayList<>();
    private final List<String> usedDirsAndLinks = new ArrayList<>();
    /**
     * Whether this archive may hold entries the extractor refuses outright ({@code ..} climbing
     * out, hardlinks to nothing or outside, whiteouts of {@code ..}): a third of them do, so that
     * the others get past their first entries and reach deeper states.
     */
    private final boolean refusable;

    /**
     * @param seed    the archive's seed: the same seed gives the same entries
     * @param outside absolute host paths in the sandbox around the root (canaries, the root's
     *                parents, the root itself) that links may name
     */
    public HostileTars(long seed, List<String> outside) {
        this.random = new Random(seed);
        this.outside = List.copyOf(outside);
        this.refusable = random.nextInt(3) == 0;
    }

    /** A layer of 1 to {@code maxEntries} entries. */
    public List<Entry> layer(int maxEntries) {
        int n = 1 + random.nextInt(maxEntries);
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(next());
        }
        return entries;
    }

    private Entry next() {
        int roll = random.nextInt(100);
        String name = name();
        Entry e;
        if (roll < 18) {
            e = entry(name, TarArchiveEntry.LF_DIR, null, pick(DIR_MODES));
        } else if (roll < 38) {
            e = entry(name, TarArchiveEntry.LF_NORMAL, null, pick(FILE_MODES));
        } else if (roll < 58) {
            e = entry(name, TarArchiveEntry.LF_SYMLINK, symlinkTarget(), 0777);
        } else if (roll < 68 && (refusable || !usedFiles.isEmpty())) {
            e = entry(name, TarArchiveEntry.LF_LINK, hardlinkTarget(), 0644);
        } else if (roll < 68) {
            e = entry(name, TarArchiveEntry.LF_NORMAL, null, pick(FILE_MODES));
        } else if (roll < 76) {
            e = entry(parentOf(name) + whiteoutName(), TarArchiveEntry.LF_NORMAL, null, 0644);
        } else if (roll < 80) {
            e = entry(parentOf(name) + ".wh..wh..opq", TarArchiveEntry.LF_NORMAL, null, 0644);
        } else if (roll < 85) {
            byte[] types = {TarArchiveEntry.LF_CHR, TarArchiveEntry.LF_BLK, TarArchiveEntry.LF_FIFO};
            e = entry(name, types[random.nextInt(types.length)], null, 0666);
        } else if (roll < 92) {
            // a parent replaced mid-archive: an earlier path becomes a link out or a file
            String earlier = used.isEmpty() ? name : parentDir(used.get(random.nextInt(used.size())), name);
            e = random.nextBoolean()
                    ? entry(earlier, TarArchiveEntry.LF_SYMLINK, outsideOrUp(), 0777)
                    : entry(earlier, TarArchiveEntry.LF_NORMAL, null, 0644);
        } else {
            // something below a path seen earlier, so that it goes through whatever that became
            List<String> bases = refusable ? used : usedDirsAndLinks;
            String base = bases.isEmpty() ? name : pick(bases);
            e = entry(base + "/" + component(), random.nextBoolean() ? TarArchiveEntry.LF_NORMAL
                    : TarArchiveEntry.LF_DIR, null, 0644);
        }
        used.add(e.name());
        if (e.type() == TarArchiveEntry.LF_NORMAL && !e.name().endsWith("/") && !e.name().contains(".wh.")) {
            usedFiles.add(e.name());
        } else if (e.type() == TarArchiveEntry.LF_DIR || e.type() == TarArchiveEntry.LF_SYMLINK) {
            usedDirsAndLinks.add(e.name());
        }
        return e;
    }

    private Entry entry(String name, byte type, String link, int mode) {
        Map<String, String> xattrs = type != TarArchiveEntry.LF_SYMLINK && random.nextInt(20) == 0
                ? Map.of("user.fuzz", "v" + random.nextInt(10)) : Map.of();
        String content = type == TarArchiveEntry.LF_NORMAL ? "c" + random.nextInt(1000) : "";
        return new Entry(name, type, link, mode, content, pick(UIDS), xattrs);
    }

    private String name() {
        int roll = random.nextInt(100);
        StringBuilder b = new StringBuilder();
        if (roll < 8) {
            b.append('/');
        } else if (roll < 16) {
            b.append("./");
        } else if (roll < 20 && refusable) {
            b.append("../");
        }
        int depth = 1 + random.nextInt(3);
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                b.append('/');
            }
            int r = random.nextInt(40);
            b.append(r == 0 && (refusable || i > 0) ? ".." : r == 1 ? "." : component());
        }
        if (random.nextInt(30) == 0) {
            b.append('/');
        }
        return b.toString();
    }

    private String component() {
        int r = random.nextInt(50);
        return r == 0 ? LONG : r == 1 ? "é-ü" : r == 2 ? "sp ace" : POOL[random.nextInt(POOL.length)];
    }

    private String symlinkTarget() {
        int r = random.nextInt(10);
        return switch (r) {
            case 0, 1 -> outsideOrUp();
            case 2 -> "/" + name().replaceFirst("^[./]+", "");
            case 3 -> used.isEmpty() ? "." : used.get(random.nextInt(used.size()));
            case 4 -> random.nextBoolean() ? "." : "";
            default -> name();
        };
    }

    /** An absolute path in the sandbox outside the root, or a relative climb of 1 to 4 levels. */
    private String outsideOrUp() {
        if (random.nextBoolean() && !outside.isEmpty()) {
            return pick(outside) + (random.nextInt(4) == 0 ? "/" + component() : "");
        }
        return "../".repeat(1 + random.nextInt(4)) + (random.nextBoolean() ? component() : "");
    }

    private String hardlinkTarget() {
        if (!refusable) {
            return pick(usedFiles); // it may be gone or replaced by now
        }
        int r = random.nextInt(8);
        return switch (r) {
            case 0, 1, 2 -> used.isEmpty() ? name() : pick(used);
            case 3 -> pick(outside);
            case 4 -> "../".repeat(1 + random.nextInt(3)) + component();
            default -> name(); // often a later entry, or none
        };
    }

    private String whiteoutName() {
        int r = refusable ? random.nextInt(12) : 3 + random.nextInt(9);
        return switch (r) {
            case 0 -> ".wh..";
            case 1 -> ".wh.";
            case 2 -> ".wh...";
            default -> ".wh." + component();
        };
    }

    private static String parentOf(String name) {
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? "" : trimmed.substring(0, slash + 1);
    }

    /** The parent of {@code path} when it has one, else {@code fallback}. */
    private static String parentDir(String path, String fallback) {
        String parent = parentOf(path);
        return parent.isEmpty() || parent.equals("/") ? fallback : parent.substring(0, parent.length() - 1);
    }

    private int pick(int[] values) {
        return values[random.nextInt(values.length)];
    }

    private String pick(List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** The entries as an uncompressed tar, names written exactly as given (PAX for long ones). */
    public static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            for (Entry e : entries) {
                String name = e.type() == TarArchiveEntry.LF_DIR && !e.name().endsWith("/") ? e.name() + "/" : e.name();
                TarArchiveEntry t = new TarArchiveEntry(name, e.type(), true);
                t.setMode(e.mode());
                t.setUserId(e.uid());
                t.setGroupId(e.uid());
                t.setModTime(1_000_000_000_000L);
                if (e.link() != null) {
                    t.setLinkName(e.link());
                }
                if (e.type() == TarArchiveEntry.LF_CHR) {
                    t.setDevMajor(1);
                    t.setDevMinor(e.mode() % 2 == 0 ? 3 : 5);
                } else if (e.type() == TarArchiveEntry.LF_BLK) {
                    t.setDevMajor(7);
                    t.setDevMinor(200);
                }
                e.xattrs().forEach((k, v) -> t.addPaxHeader("SCHILY.xattr." + k, v));
                byte[] data = t.isDirectory() ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
                t.setSize(data.length);
                tar.putArchiveEntry(t);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
