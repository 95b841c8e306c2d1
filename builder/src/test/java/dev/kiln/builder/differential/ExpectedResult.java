package dev.kiln.builder.differential;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The expected flattened result of a regression case ({@code testdata/regression/CASE/expected}),
 * one line per fact, {@code #} starting a comment:
 * <ul>
 *   <li>{@code PATH<TAB>TYPE MODE UID:GID[<TAB>CONTENT]}: the entry of the image's merged tree,
 *       TYPE {@code file}, {@code dir} or {@code symlink}, MODE octal with special bits, CONTENT a
 *       file's text ({@code \n} for a newline) or a symlink's target;</li>
 *   <li>{@code PATH<TAB>absent};</li>
 *   <li>{@code PATH<TAB>mtime SECONDS}: the entry's modification time;</li>
 *   <li>{@code config FIELD<TAB>JSON}: the image config's {@code config.FIELD}, {@code null} when unset;</li>
 *   <li>{@code fails<TAB>TEXT}: the build must fail, its output containing TEXT;</li>
 *   <li>{@code check-fails<TAB>TEXT}: {@code kiln check} must refuse the Dockerfile with TEXT
 *       (without it, check must accept it: a build that fails only when it runs is still a
 *       Dockerfile check accepts).</li>
 * </ul>
 */
record ExpectedResult(List<String> lines) {
    static ExpectedResult read(Path file) throws IOException {
        return new ExpectedResult(Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
    }

    /** The build's failure text to expect, or null when it must succeed. */
    String failure() {
        return lines.stream().filter(l -> l.startsWith("fails\t")).map(l -> l.substring(6)).findFirst().orElse(null);
    }

    /** What {@code kiln check} must refuse the Dockerfile with, or null when it must accept it. */
    String checkFailure() {
        return lines.stream().filter(l -> l.startsWith("check-fails\t")).map(l -> l.substring(12)).findFirst()
                .orElse(null);
    }

    /** What differs between this and the built image: one line per unmet fact. */
    List<String> mismatches(ImageTree tree, JsonNode config) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", 3);
            if (f[0].equals("fails") || f[0].equals("check-fails")) {
                continue;
            }
            if (f[0].startsWith("config ")) {
                String field = f[0].substring(7);
                JsonNode actual = config.path("config").path(field);
                JsonNode expected = Json.readTree(f[1].getBytes(StandardCharsets.UTF_8));
                String got = actual.isMissingNode() || actual.isNull() ? "null" : actual.toString();
                if (!got.equals(expected.toString())) {
                    out.add(f[0] + ": expected " + expected + ", got " + got);
                }
                continue;
            }
            FsEntry e = tree.get(f[0]);
            if (f[1].equals("absent")) {
                if (e != null) {
                    out.add(f[0] + ": expected absent, got " + describe(e));
                }
                continue;
            }
            if (f[1].startsWith("mtime ")) {
                long want = Long.parseLong(f[1].substring(6));
                if (e == null || e.mtime() != want) {
                    out.add(f[0] + ": expected mtime " + want + ", got " + (e == null ? "absent" : e.mtime()));
                }
                continue;
            }
            String want = f[1] + (f.length > 2 ? "\t" + f[2] : "");
            String got = e == null ? "absent" : describe(e);
            if (f.length < 3) {
                got = got.split("\t")[0];
            }
            String wantCanonical = canonical(f);
            if (!got.equals(wantCanonical)) {
                out.add(f[0] + ": expected " + want + ", got " + got);
            }
        }
        return out;
    }

    private static String canonical(String[] f) {
        String[] attrs = f[1].split(" ");
        String base = attrs[0] + " " + String.format("%04o", Integer.parseInt(attrs[1], 8)) + " " + attrs[2];
        if (f.length < 3) {
            return base;
        }
        String content = f[2].replace("\\n", "\n");
        return attrs[0].equals("symlink") ? base + "\t" + content
                : base + "\t" + sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    private static String describe(FsEntry e) {
        String type = switch (e.type()) {
            case FILE -> "file";
            case DIR -> "dir";
            case SYMLINK -> "symlink";
            default -> e.type().name().toLowerCase(java.util.Locale.ROOT);
        };
        String base = type + " " + String.format("%04o", e.mode()) + " " + e.uid() + ":" + e.gid();
        if (e.type() == FsEntry.Type.SYMLINK) {
            return base + "\t" + e.linkTarget();
        }
        return e.type() == FsEntry.Type.FILE ? base + "\t" + e.digest() : base;
    }

    private static String sha256(byte[] bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(new ByteArrayInputStream(bytes).readAllBytes());
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
