package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.testing.ExternalTool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real root with a subordinate range of its own (an {@code /etc/subuid} and {@code /etc/subgid}
 * entry for {@code root}, as Docker's userns-remap or podman's auto userns have): RUN and
 * {@code kiln run} get a user namespace over that range, so nothing a container makes is host
 * root's (docs/security.md, attack 3). The range is given without touching the machine: kiln runs
 * under {@code unshare -m} with temp files bind-mounted on the two id files, root's range
 * ({@value #START}) apart from kiln-test's. Without a root entry the same builds run as today
 * (host ids), and their layers must hold the same owners, modes and xattrs.
 */
class RootOwnUsernsIT {
    static final long START = 300000;
    static final String RANGE_LINE = "root:" + START + ":65536\n";
    private static Path work;
    private static Path withRange;
    private static Path withoutRange;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "gives root a subordinate range in a private mount namespace: run as root (scripts/test.sh does)");
        assumeTrue(Files.isRegularFile(Path.of("/etc/subuid")) && Files.isRegularFile(Path.of("/etc/subgid")),
                "needs /etc/subuid and /etc/subgid to bind-mount over (scripts/test.sh makes them)");
        ExternalTool.assumeInstalled("unshare");
        ItEnv.require("KILN_IT_REGISTRY");
        work = Files.createTempDirectory(Path.of("/tmp"), "kiln-rootns-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        withRange = Files.writeString(work.resolve("subids-root"), RANGE_LINE);
        // the machine's own entries without any of root's: root has no range, whatever the host says
        List<String> others = Files.readAllLines(Path.of("/etc/subuid")).stream()
                .filter(l -> !l.startsWith("root:") && !l.startsWith("0:")).toList();
        withoutRange = Files.write(work.resolve("subids-none"), others);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work != null) {
            ExternalTool.run("rm", "-rf", work.toString());
        }
    }

    /**
     * A RUN makes a setuid copy of a shell and a file: in the store on the host (the RUN's layer
     * directory) they belong to root's subordinate uid, not to uid 0; the image still says 0:0
     * and 4755. Before, they were host root's: a setuid-root shell on the host's disk.
     */
    @Test
    void rootWithARange_runStep_makesNoFileOfHostRoot() throws Exception {
        Path dir = Files.createDirectories(work.resolve("run-step"));
        Path context = busyboxContext(dir,
                "RUN cp /bin/busybox /suid-sh && chmod 4755 /suid-sh && echo made > /made && cat /proc/self/uid_map > /uid_map");
        ExternalTool.Result r = kiln(withRange, dir, "build", "--root", dir.resolve("store").toString(),
                "-o", dir.resolve("image.tar").toString(), context.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();

        Path onHost = find(dir.resolve("store/layers"), "suid-sh");
        assertThat(Files.getAttribute(onHost, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(onHost.toString())
                .isEqualTo((int) START);
        assertThat(Files.getAttribute(find(dir.resolve("store/layers"), "made"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo((int) START);
        String uidMap = Files.readString(find(dir.resolve("store/layers"), "uid_map"));
        assertThat(uidMap).as("the RUN's uid_map").doesNotContain("4294967295");
        assertThat(r.stderr()).contains("isolation: userns (overlay, root's own user namespace: subuid range "
                + START + "-" + (START + 65535) + ")");

        Map<String, String> layer = lastLayer(dir.resolve("image.tar"));
        assertThat(layer.get("suid-sh")).startsWith("file 4755 0:0");
        assertThat(layer.get("made")).startsWith("file 644 0:0");
    }

    /**
     * {@code kiln run -v HOSTDIR:/x}: a setuid copy of a shell made in a world-writable host
     * directory belongs to root's subordinate uid on the host; a directory of root's (0755) is not
     * writable at all. Before, the copy was a setuid-root shell in HOSTDIR.
     */
    @Test
    void rootWithARange_runVolume_setuidCopyIsNotHostRoots() throws Exception {
        Path dir = Files.createDirectories(work.resolve("run-volume"));
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path rootOnly = Files.createDirectories(dir.resolve("root-only"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        ExternalTool.Result r = kiln(withRange, dir, "run", "--rm", "--root", dir.resolve("store").toString(),
                "-v", open + ":/x", "-v", rootOnly + ":/y",
                ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest",
                "sh", "-c", "cp /bin/busybox /x/sh && chmod 4755 /x/sh && echo copied; touch /y/f || echo refused");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("copied");

        Path copy = open.resolve("sh");
        assertThat(Files.getAttribute(copy, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo((int) START);
        assertThat(rootOnly.resolve("f")).doesNotExist();
        assertThat(r.stdout()).contains("refused");
    }

    /**
     * The same Dockerfile with and without root's range gives layers with the same names, types,
     * modes, owners and xattrs. Among them a file capability (what {@code setcap cap_net_raw+ep}
     * writes): Docker's layer holds it as a v2 {@code security.capability}, its container root
     * being host root. kiln carries no {@code security.*} xattr into a layer in either mode yet
     * (its scanner reads {@code user.*} only): that check is a counted skip until it does.
     */
    @Test
    void layers_sameOwnersAndCapabilities_withAndWithoutARange() throws Exception {
        String registry = ItEnv.require("KILN_IT_REGISTRY");
        String caps = "0100000200200000000000000000000000000000"; // v2, effective, cap_net_raw permitted
        String dockerfile = """
                FROM %s/library/python:3.9-slim
                RUN touch /plain && mkdir /d && chown 1000:1001 /d && chmod 2750 /d && ln -s /plain /link \\
                 && python3 -c "import os; open('/cap','w').close(); os.setxattr('/cap', 'security.capability', bytes.fromhex('%s'))" \\
                 && python3 -c "import os; print(os.getxattr('/cap', 'security.capability').hex())" > /seen
                """.formatted(registry, caps);
        Map<String, String> ranged = buildLastLayer("caps-range", withRange, dockerfile);
        Map<String, String> plain = buildLastLayer("caps-plain", withoutRange, dockerfile);

        assertThat(ranged.get("d")).isEqualTo("dir 2750 1000:1001");
        assertThat(ranged.get("plain")).isEqualTo("file 644 0:0");
        assertThat(ranged.remove("seen")).isEqualTo(plain.remove("seen"));
        assertThat(ranged).isEqualTo(plain);
        assumeTrue(plain.get("cap").contains("security.capability"),
                "kiln does not carry security.capability into layers (as root or not): nothing to compare yet");
        assertThat(ranged.get("cap")).isEqualTo("file 644 0:0 security.capability=" + caps);
    }

    /**
     * One store used by root without a range, with one, and without again: each RUN writes into a
     * directory of the base layer (which the other form's unpacked copy would show as nobody's),
     * every build succeeds, the two forms' layer directories sit side by side, and the store checks
     * clean.
     */
    @Test
    void rootWithAndWithoutARange_shareOneStore() throws Exception {
        Path dir = Files.createDirectories(work.resolve("shared-store"));
        Path context = busyboxContext(dir, "RUN echo x > /etc/made && mkdir /etc/d");
        String store = dir.resolve("store").toString();
        for (Path subids : List.of(withoutRange, withRange, withoutRange)) {
            ExternalTool.Result r = kiln(subids, dir, "build", "--root", store, "--no-cache", context.toString());
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        try (Stream<Path> s = Files.list(dir.resolve("store/layers"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.endsWith("-subuid" + START)).anyMatch(n -> n.matches("[0-9a-f]{64}"));
        }
        ExternalTool.Result check = kiln(withoutRange, dir, "system", "check", "--root", store);
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.stdout()).contains("The store is clean.");
    }

    /** {@code dir}/context with a Dockerfile of the test registry's busybox and {@code step}. */
    private static Path busyboxContext(Path dir, String step) throws IOException {
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"),
                "FROM " + ItEnv.require("KILN_IT_REGISTRY") + "/library/busybox:latest\n" + step + "\n");
        return context;
    }

    /** Builds {@code dockerfile} with {@code subids} as /etc/subuid and /etc/subgid; the last layer's listing. */
    private static Map<String, String> buildLastLayer(String name, Path subids, String dockerfile) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        ExternalTool.Result r = kiln(subids, dir, "build", "--root", dir.resolve("store").toString(),
                "-o", dir.resolve("image.tar").toString(), context.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return lastLayer(dir.resolve("image.tar"));
    }

    /** kiln as root, in a private mount namespace where {@code subids} is /etc/subuid and /etc/subgid. */
    static ExternalTool.Result kiln(Path subids, Path home, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --bind \"$0\" /etc/subuid && mount --bind \"$0\" /etc/subgid && shift && exec \"$@\"",
                subids.toString(), "--", "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ItEnv.jar().toString()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new));
    }

    /** The one file named {@code name} under {@code dir}. */
    private static Path find(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().equals(name)).toList();
            assertThat(found).as(name + " under " + dir).hasSize(1);
            return found.get(0);
        }
    }

    /**
     * The last layer of the image in the OCI layout tar {@code image}: each entry's path (no
     * leading {@code ./}) to {@code "TYPE MODE UID:GID[ xattr=hex...]"}.
     */
    static Map<String, String> lastLayer(Path image) throws Exception {
        Path layout = Files.createDirectories(image.resolveSibling(image.getFileName() + ".d"));
        ExternalTool.run("tar", "-xf", image.toString(), "-C", layout.toString()).assertSuccess();
        ObjectMapper json = new ObjectMapper();
        JsonNode index = json.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = json.readTree(blob(layout, index.get("manifests").get(0).get("digest").asText()).toFile());
        JsonNode layers = manifest.get("layers");
        Path last = blob(layout, layers.get(layers.size() - 1).get("digest").asText());
        Map<String, String> out = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(last));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                StringBuilder sb = new StringBuilder(e.isDirectory() ? "dir" : e.isSymbolicLink() ? "symlink"
                        : e.isLink() ? "hardlink" : "file");
                sb.append(' ').append(Integer.toOctalString(e.getMode() & 07777)).append(' ')
                        .append(e.getLongUserId()).append(':').append(e.getLongGroupId());
                new TreeMap<>(e.getExtraPaxHeaders()).forEach((k, v) -> {
                    if (k.startsWith("SCHILY.xattr.")) {
                        sb.append(' ').append(k.substring("SCHILY.xattr.".length())).append('=')
                                .append(HexFormat.of().formatHex(v.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
                    }
                });
                String path = e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
                out.put(path, sb.toString());
            }
        }
        return out;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/" + digest.replace(':', '/'));
    }
}
