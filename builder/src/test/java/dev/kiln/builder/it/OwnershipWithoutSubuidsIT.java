package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, must-show 6: ownership right with zero host setup. The same Dockerfile (adduser, a
 * recursive chown to the new user, chown to unmapped ids, a later RUN that changes files of the
 * new user and chowns a symlink) built by the kiln jar in a locale-free environment as
 * {@code KILN_IT_USER_NOMAP} (no subordinate ids, no newuidmap: only root is mapped, chown is
 * recorded by kiln) and as {@code KILN_IT_USER} (a subordinate range: chown is real) gives the
 * same layers, listed by {@code tar -tvv --numeric-owner}, and the same flattened tree, unpacked by
 * {@code umoci} as root: paths, types, modes, owners and link targets.
 */
class OwnershipWithoutSubuidsIT {
    static final String DOCKERFILE = """
            FROM %s
            RUN adduser -D -u 1000 bob && mkdir /home/bob/data && chown -R bob:bob /home/bob \\
                && touch /f && chown 1000:1000 /f && touch /g && chown 33:33 /g
            RUN touch /home/bob/data/later && echo more >> /f && ln -s data /home/bob/link \\
                && chown -h bob:bob /home/bob/link && ln -s /g /home/bob/g && chown -h 33 /home/bob/g
            """;
    private static Path work;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "builds as the test users through runuser: run as root (scripts/test.sh does)");
        ItEnv.require("KILN_IT_REGISTRY");
        work = Files.createTempDirectory(Path.of("/tmp"), "kiln-owners-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    @Test
    void build_withoutSubuids_givesTheOwnersOfASubuidRange() throws Exception {
        Path single = build("nomap", ItEnv.require("KILN_IT_USER_NOMAP"));
        Path range = build("subuid", ItEnv.require("KILN_IT_USER"));

        List<String> singleLayers = layerListings(single);
        assertThat(singleLayers).as("layer listings, only root mapped vs a subordinate range")
                .isEqualTo(layerListings(range));
        String runLayer = singleLayers.get(singleLayers.size() - 2);
        assertThat(runLayer).contains("drwxr-sr-x 1000/1000 home/bob/", "drwxr-sr-x 1000/1000 home/bob/data/",
                "-rw-r--r-- 1000/1000 f", "-rw-r--r-- 33/33 g");
        assertThat(singleLayers.get(singleLayers.size() - 1))
                .contains("drwxr-sr-x 1000/1000 home/bob/data/", "-rw-r--r-- 1000/1000 f",
                        "lrwxrwxrwx 1000/1000 home/bob/link -> data", "lrwxrwxrwx 33/0 home/bob/g -> /g")
                .doesNotContain("kiln");

        Map<String, String> singleTree = tree(unpack(single));
        assertThat(singleTree).as("flattened trees").isEqualTo(tree(unpack(range)));
        assertThat(singleTree).containsEntry("home/bob/data/later", "file 644 0:0")
                .containsEntry("home/bob/data", "dir 2755 1000:1000")
                .containsEntry("f", "file 644 1000:1000")
                .containsEntry("g", "file 644 33:33");
    }

    /** Builds {@link #DOCKERFILE} as {@code user}; the directory holding image.tar. */
    private static Path build(String name, String user) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"),
                DOCKERFILE.formatted(ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest"));
        ExternalTool.run("chown", "-R", user + ":", dir.toString()).assertSuccess();
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        cmd.addAll(List.of("env", "-i", "HOME=" + dir, "PATH=/usr/bin:/bin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ItEnv.jar().toString(),
                "build", "--root", dir.resolve("store").toString(),
                "-o", dir.resolve("image.tar").toString(), context.toString()));
        ExternalTool.Result r = ExternalTool.run(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path layout = Files.createDirectories(dir.resolve("layout"));
        ExternalTool.run("tar", "-xf", dir.resolve("image.tar").toString(), "-C", layout.toString()).assertSuccess();
        return dir;
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
