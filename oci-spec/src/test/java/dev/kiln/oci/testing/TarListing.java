package dev.kiln.oci.testing;

import dev.kiln.oci.files.FileNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GNU tar as the judge of names: {@code tar -tv} of an uncompressed or compressed tar, run with no
 * locale and no quoting, so each name is the bytes in the archive. Lines are
 * {@code "TYPE NAME"} (plus {@code " -> TARGET"} or {@code " link to TARGET"}), with {@code ./}
 * prefixes and trailing slashes dropped and the root entry left out; bytes are kept as Latin-1
 * strings (one char per byte), so compare them with {@link #bytes}.
 */
public final class TarListing {
    private TarListing() {
    }

    /** The listing of {@code tar}, in archive order. */
    public static List<String> of(Path tar) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("tar", "--quoting-style=literal", "--numeric-owner", "-tvf",
                tar.toString());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (p.waitFor() != 0) {
            throw new AssertionError("tar -tvf " + tar + " failed: " + out);
        }
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            // "mode uid/gid size date time NAME[ -> TARGET | link to TARGET]"
            String entry = line.split(" +", 6)[5].replaceFirst("^\\./", "").replaceFirst("/$", "")
                    .replace(" link to ./", " link to ");
            if (!entry.isEmpty() && !entry.equals(".")) {
                names.add(line.charAt(0) + " " + entry);
            }
        }
        return names;
    }

    /** A name in {@link FileNames} text form as the Latin-1 string of its bytes, as listed. */
    public static String bytes(String text) {
        return new String(FileNames.encode(text), StandardCharsets.ISO_8859_1);
    }
}
