package dev.kiln.runtime;

import dev.kiln.oci.layer.OverlayMarkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves an image's {@code User} ({@code name}, {@code uid}, {@code uid:gid}, {@code name:group},
 * …) through the image's own {@code /etc/passwd} and {@code /etc/group}, read from its layer
 * directories as overlay would show them. Numeric ids need no entry; names do, except {@code root},
 * which is 0:0 even in an image without passwd (as BuildKit's user parsing takes it). The process's
 * groups are its primary group plus, for a user given without a group, every {@code /etc/group}
 * entry that lists the user's name, as containerd gives them to Docker's containers.
 */
public final class UserLookup {
    /** The resolved identity and the home directory from passwd (or null). */
    public record Resolved(User user, String home) {
        /**
         * {@code env} with {@code HOME} from passwd added when {@code env} has none, as runc does
         * for Docker's and BuildKit's processes ({@link ExecSpec#effectiveEnv} adds the default
         * where passwd names no home).
         */
        public List<String> withHome(List<String> env) {
            if (home == null || env.stream().anyMatch(e -> e.startsWith("HOME="))) {
                return env;
            }
            List<String> out = new ArrayList<>(env);
            out.add("HOME=" + home);
            return out;
        }
    }

    private final List<Path> layersTopToBottom;

    /** @param layersBottomToTop overlay-format layer dirs (or one plain root), base first */
    public UserLookup(List<Path> layersBottomToTop) {
        List<Path> reversed = new ArrayList<>(layersBottomToTop);
        java.util.Collections.reverse(reversed);
        this.layersTopToBottom = reversed;
    }

    public Resolved resolve(String spec) {
        if (spec == null || spec.isBlank()) {
            spec = "0";
        }
        String[] parts = spec.split(":", 2);
        String userPart = parts[0];
        String groupPart = parts.length > 1 ? parts[1] : null;
        List<String[]> passwd = table("etc/passwd");
        List<String[]> group = table("etc/group");
        String[] entry = find(passwd, userPart, 0, 2);
        int uid;
        if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
        } else if (entry != null) {
            uid = Integer.parseInt(entry[2]);
        } else if (userPart.equals("root")) {
            uid = 0;
        } else {
            throw new SandboxException("unable to find user " + userPart + ": no matching entries in "
                    + "the image's /etc/passwd", "use a numeric uid, or add the user in the image");
        }
        int gid;
        if (groupPart != null) {
            if (isNumber(groupPart)) {
                gid = Integer.parseInt(groupPart);
            } else {
                String[] g = find(group, groupPart, 0, 2);
                if (g == null && groupPart.equals("root")) {
                    g = new String[] {"root", "x", "0"};
                } else if (g == null) {
                    throw new SandboxException("unable to find group " + groupPart
                            + ": no matching entries in the image's /etc/group",
                            "use a numeric gid, or add the group in the image");
                }
                gid = Integer.parseInt(g[2]);
            }
        } else {
            gid = entry != null && entry.length > 3 && isNumber(entry[3]) ? Integer.parseInt(entry[3]) : 0;
        }
        List<Integer> supplementary = new ArrayList<>(List.of(gid));
        String name = entry != null ? entry[0] : null;
        if (name != null && groupPart == null) {
            for (String[] g : group) {
                if (g.length > 3 && isNumber(g[2]) && List.of(g[3].split(",")).contains(name)) {
                    int id = Integer.parseInt(g[2]);
                    if (!supplementary.contains(id)) {
                        supplementary.add(id);
                    }
                }
            }
        }
        String home = entry != null && entry.length > 5 && !entry[5].isEmpty() ? entry[5] : null;
        return new Resolved(new User(uid, gid, supplementary), home);
    }

    private static String[] find(List<String[]> table, String key, int nameField, int idField) {
        for (String[] row : table) {
            if (row.length > idField && (row[nameField].equals(key) || row[idField].equals(key))) {
                return row;
            }
        }
        return null;
    }

    private List<String[]> table(String relative) {
        List<String[]> rows = new ArrayList<>();
        Optional<Path> file = lookup(relative);
        if (file.isEmpty()) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(file.get())) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split(":", -1));
                }
            }
        } catch (IOException e) {
            throw new SandboxException("cannot read the image's /" + relative + ": " + e.getMessage(),
                    null, null, 0, e);
        }
        return rows;
    }

    /** The topmost regular file at {@code relative}, unless a higher layer deleted it. */
    private Optional<Path> lookup(String relative) {
        for (Path layer : layersTopToBottom) {
            Path p = layer.resolve(relative);
            try {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (OverlayMarkers.isWhiteout(p) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        return Optional.empty();
                    }
                    return Optional.of(p);
                }
                if (Files.exists(layer.resolve("etc"), LinkOption.NOFOLLOW_LINKS)
                        && OverlayMarkers.isOpaque(layer.resolve("etc"))) {
                    return Optional.empty();
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
