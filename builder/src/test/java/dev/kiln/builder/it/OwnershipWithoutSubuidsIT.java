package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, must-show 6: ownership right with zero host setup. The same Dockerfile built by the
 * kiln jar in a locale-free environment as {@code KILN_IT_USER_NOMAP} (no subordinate ids, no
 * newuidmap: only root is mapped, and kiln records chown) and as {@code KILN_IT_USER} (a
 * subordinate range: chown is real) gives the same layers, listed by {@code tar -tv
 * --numeric-owner}, and the same flattened tree, unpacked by {@code umoci} as root: paths, types,
 * modes, owners and link targets.
 */
class OwnershipWithoutSubuidsIT {
    /**
     * A new user's home chowned to it, chown to ids no namespace of the first build maps, and a
     * later RUN that changes files of the new user (copy-up keeps the recorded owner) and chowns
     * symlinks. Debian's busybox-static has no {@code adduser} applet: the two lines it would add
     * to passwd and group are written by hand.
     */
    static final String BUSYBOX = """
            FROM %s/library/busybox:latest
            RUN echo 'bob:x:1000:1000::/home/bob:/bin/sh' >> /etc/passwd && echo 'bob:x:1000:' >> /etc/group \\
                && mkdir -p /home/bob/data && chown -R bob:bob /home/bob \\
                && touch /f && chown 1000:1000 /f && touch /g && chown 33:33 /g
            RUN touch /home/bob/data/later && echo more >> /f && ln -s data /home/bob/link \\
                && chown -h bob:bob /home/bob/link && ln -s /g /home/bob/g && chown -h 33 /home/bob/g
            """;
    /**
     * Debian's useradd (which rewrites /etc/shadow, group shadow, through a new file) and dpkg (which
     * writes each file as {@code .dpkg-new}, fchowns it to the package's owner and renames it).
     */
    static final String DEBIAN = """
            FROM %s/library/python:3.9-slim
            COPY owned.deb /tmp/
            RUN useradd -m -u 1000 bob && mkdir /home/bob/data && chown -R bob:bob /home/bob \\
                && dpkg -i /tmp/owned.deb && rm /tmp/owned.deb
            RUN echo more >> /opt/owned/www/index.html && touch /home/bob/data/later
            """;
    @RegisterExtension
    static final UserKiln.AsRoot ROOT = new UserKiln.AsRoot("kiln-owners-it-");

    @Test
    void busybox_withoutSubuids_givesTheOwnersOfASubuidRange() throws Exception {
        Map<String, String> tree = assertSameAsWithSubuids("busybox", BUSYBOX, List.of(
                "drwxr-xr-x 1000/1000 home/bob/", "drwxr-xr-x 1000/1000 home/bob/data/", "-rw-r--r-- 1000/1000 f",
                "-rw-r--r-- 33/33 g", "lrwxrwxrwx 1000/1000 home/bob/link -> data", "lrwxrwxrwx 33/0 home/bob/g -> /g"),
                Map.of());
        assertThat(tree).containsEntry("home/bob/data/later", "file 644 0:0")
                .containsEntry("home/bob/data", "dir 755 1000:1000")
                .containsEntry("f", "file 644 1000:1000")
                .containsEntry("g", "file 644 33:33");
    }

    /**
     * The one known difference: useradd's backups {@code /etc/shadow-} and {@code /etc/gshadow-}
     * are new files given the owner stat reported for the originals, 0:0 where only root is mapped
     * (with a range: 0:42, group shadow). docs/runtime.md lists it.
     */
    @Test
    void debian_useraddAndDpkg_withoutSubuids_giveTheOwnersOfASubuidRange() throws Exception {
        Map<String, String> tree = assertSameAsWithSubuids("debian", DEBIAN, List.of(
                "-rw-r----- 0/42 etc/shadow", "-rw-r--r-- 1000/1000 home/bob/.bashrc",
                "drwxr-xr-x 33/33 opt/owned/www/", "-rw-r----- 33/33 opt/owned/www/index.html",
                "lrwxrwxrwx 33/33 opt/owned/www/link -> index.html",
                "-rw-r--r-- 1000/1000 opt/owned/bobfile", "-rwsr-xr-x 0/0 opt/owned/bin/tool"),
                Map.of("etc/shadow-", "0/42", "etc/gshadow-", "0/42"));
        assertThat(tree).containsEntry("opt/owned/www/index.html", "file 640 33:33")
                .containsEntry("etc/shadow", "file 640 0:42");
    }

    /**
     * Builds {@code dockerfile} as both users; asserts equal layer listings (which contain
     * {@code expected} lines) and equal flattened trees, but for the paths of {@code known}, which
     * the subordinate range gives the owner mapped to and only root mapped gives 0/0; returns the
     * tree without them.
     */
    private static Map<String, String> assertSameAsWithSubuids(String name, String dockerfile, List<String> expected,
            Map<String, String> known) throws Exception {
        Path single = build(name + "-nomap", dockerfile, ItEnv.require("KILN_IT_USER_NOMAP"));
        Path range = build(name + "-subuid", dockerfile, ItEnv.require("KILN_IT_USER"));
        String singleLayers = String.join("==\n", layerListings(single));
        String rangeLayers = String.join("==\n", layerListings(range));
        for (Map.Entry<String, String> k : known.entrySet()) {
            String path = Pattern.quote(k.getKey());
            assertThat(singleLayers).as("known difference").containsPattern("(?m)^\\S+ 0/0 " + path + "$");
            assertThat(rangeLayers).containsPattern("(?m)^\\S+ " + k.getValue() + " " + path + "$");
            singleLayers = singleLayers.replaceAll("(?m)^\\S+ \\S+ " + path + "\n", "");
            rangeLayers = rangeLayers.replaceAll("(?m)^\\S+ \\S+ " + path + "\n", "");
        }
        assertThat(singleLayers).as("layer listings, only root mapped vs a subordinate range").isEqualTo(rangeLayers);
        assertThat(singleLayers).contains(expected);
        Map<String, String> tree = tree(unpack(single));
        Map<String, String> rangeTree = tree(unpack(range));
        tree.keySet().removeAll(known.keySet());
        rangeTree.keySet().removeAll(known.keySet());
        assertThat(tree).as("flattened trees").isEqualTo(rangeTree);
        return tree;
    }

    /** Builds {@code dockerfile} as {@code user}; the directory holding the unpacked image. */
    private static Path build(String name, String dockerfile, String user) throws Exception {
        Path dir = Files.createDirectories(ROOT.kiln().work().resolve(name));
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), dockerfile.formatted(ItEnv.require("KILN_IT_REGISTRY")));
        ownedDeb(context.resolve("owned.deb"));
        UserKiln.chown(dir, user);
        ExternalTool.Result r = ROOT.kiln().runBare(UserKiln.runuser(user), dir, "build",
                "-o", dir.resolve("image.tar").toString(), context.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).as("kiln's note without subordinate ids")
                .contains(user.equals(ItEnv.require("KILN_IT_USER_NOMAP")) ? "chown inside containers is recorded" : "");
        Path layout = Files.createDirectories(dir.resolve("layout"));
        ExternalTool.run("tar", "-xf", dir.resolve("image.tar").toString(), "-C", layout.toString()).assertSuccess();
        return dir;
    }

    /**
     * A package whose files belong to www-data (33), uid 1000 and root (a setuid binary), with a
     * symlink of www-data, built with dpkg-deb from a tree chowned on the host.
     */
    private static void ownedDeb(Path deb) throws Exception {
        Path root = Files.createTempDirectory(ROOT.kiln().work(), "deb-");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), """
                Package: kiln-owned
                Version: 1.0
                Architecture: all
                Maintainer: kiln tests <kiln@example.invalid>
                Description: files owned by users other than root
                """);
        Path opt = Files.createDirectories(root.resolve("opt/owned/www"));
        Files.createDirectories(root.resolve("opt/owned/bin"));
        Files.writeString(opt.resolve("index.html"), "hi\n");
        Files.createSymbolicLink(opt.resolve("link"), Path.of("index.html"));
        Files.writeString(root.resolve("opt/owned/bobfile"), "bob\n");
        Files.writeString(root.resolve("opt/owned/bin/tool"), "tool\n");
        Files.setPosixFilePermissions(opt.resolve("index.html"), PosixFilePermissions.fromString("rw-r-----"));
        ExternalTool.run("chmod", "4755", root.resolve("opt/owned/bin/tool").toString()).assertSuccess();
        ExternalTool.run("chown", "-R", "-h", "33:33", opt.toString()).assertSuccess();
        ExternalTool.run("chown", "1000:1000", root.resolve("opt/owned/bobfile").toString()).assertSuccess();
        ExternalTool.run("dpkg-deb", "--build", root.toString(), deb.toString()).assertSuccess();
    }

    /**
     * Each layer of the image, in order, as {@code tar -tvv --numeric-owner} lists it without the
     * size and time columns (the times are the builds').
     */
    private static List<String> layerListings(Path dir) throws Exception {
        Path layout = dir.resolve("layout");
        ExternalTool.Result index = ExternalTool.run("jq", "-r", ".manifests[0].digest", layout.resolve("index.json").toString());
        String manifest = blob(layout, index.stdout().trim());
        ExternalTool.Result layers = ExternalTool.run("jq", "-r", ".layers[].digest", manifest);
        List<String> out = new ArrayList<>();
        for (String digest : layers.stdout().trim().split("\n")) {
            ExternalTool.Result list = ExternalTool.run("tar", "-tvzf", blob(layout, digest), "--numeric-owner");
            list.assertSuccess();
            try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(blob(layout, digest))))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
                        .as("kiln's owner tags stay out of layers").doesNotContain("kiln.owner");
            }
            StringBuilder sb = new StringBuilder();
            for (String line : list.stdout().split("\n")) {
                String[] f = line.trim().split("\\s+", 6); // mode owner size date time name
                sb.append(f[0]).append(' ').append(f[1]).append(' ').append(f.length > 5 ? f[5] : "").append('\n');
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static String blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/')).toString();
    }

    private static Path unpack(Path dir) throws Exception {
        Path bundle = dir.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--image", dir.resolve("layout") + ":latest", bundle.toString())
                .assertSuccess();
        return bundle.resolve("rootfs");
    }

    /** Relative path → "type mode uid:gid [-> target]" of everything under {@code root}. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "file" : "other";
                out.put(root.relativize(p).toString(), type + " " + Integer.toOctalString(mode & 07777) + " "
                        + a.get("uid") + ":" + a.get("gid")
                        + (type.equals("link") ? " -> " + Files.readSymbolicLink(p) : ""));
            }
        }
        return out;
    }
}
