package dev.kiln.builder.engine.copy;

import dev.kiln.builder.snapshot.LayerFiles;
import dev.kiln.builder.snapshot.Owner;
import dev.kiln.oci.KilnException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Resolves {@code --chown} specs ({@code user}, {@code user:group}, {@code uid:gid}) as BuildKit
 * does: names through the stage's {@code /etc/passwd} and {@code /etc/group} ({@code root} is 0
 * without them); a user alone gives the user's primary group when named, gid = uid when numeric.
 * A process's identity for USER is {@code dev.kiln.runtime.UserLookup}'s.
 */
public final class Passwd {
    private Passwd() {}

    public static Owner resolve(String spec, LayerFiles.View rootfs) {
        String user = spec;
        String group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        int uid;
        int gid;
        if (isNumber(user)) {
            uid = Integer.parseInt(user);
            gid = uid;
        } else {
            String[] entry = lookup(rootfs, "etc/passwd", user).or(() -> root(spec.substring(0,
                    colon < 0 ? spec.length() : colon)))
                    .orElseThrow(() -> new KilnException("unable to find user " + spec.substring(0,
                            colon < 0 ? spec.length() : colon) + ": no matching entries in passwd file",
                            "use a numeric uid, or create the user in an earlier step", null));
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
        }
        if (group != null && !group.isEmpty()) {
            if (isNumber(group)) {
                gid = Integer.parseInt(group);
            } else {
                String g = group;
                gid = Integer.parseInt(lookup(rootfs, "etc/group", group).or(() -> root(g))
                        .orElseThrow(() -> new KilnException("unable to find group " + g
                                + ": no matching entries in group file", "use a numeric gid", null))[2]);
            }
        }
        return new Owner(uid, gid);
    }

    /** {@code root} is 0:0 without a passwd or group entry, as BuildKit's ParseUser takes it. */
    private static Optional<String[]> root(String name) {
        return name.equals("root") ? Optional.of(new String[] {"root", "x", "0", "0"}) : Optional.empty();
    }

    private static Optional<String[]> lookup(LayerFiles.View rootfs, String file, String name) {
        Optional<byte[]> bytes = rootfs.content(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(name) && (file.endsWith("group") || f.length >= 4)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
