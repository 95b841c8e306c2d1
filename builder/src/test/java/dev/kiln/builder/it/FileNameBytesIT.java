package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Digest;
import dev.kiln.oci.Image;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.TarListing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * File names are bytes, end to end (issue 10), with kiln run as CI runs it: the unprivileged
 * KILN_IT_USER, {@code env -i} without LANG. A base image whose layer GNU tar wrote with UTF-8,
 * Latin-1 and invalid UTF-8 names (Debian's {@code NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem},
 * a 120-byte name, a symlink and a hardlink to such names) is pushed with skopeo; {@code kiln run}
 * lists it; {@code kiln build} FROM it COPYs a context with such names, RUN creates and deletes
 * such names, and the pushed layers are compared byte for byte with GNU tar's listings.
 */
class FileNameBytesIT {
    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final String DEBIAN = "NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem";
    static final String LATIN1 = FileNames.decode(new byte[] {'F', (byte) 0xf6, 't', (byte) 0xe9});
    static final String INVALID = FileNames.decode(new byte[] {'x', (byte) 0xff, (byte) 0xc3, '('});
    static final String LONG = "n".repeat(120) + FileNames.decode(new byte[] {(byte) 0xf6});

    @RegisterExtension
    static final UserKiln.PerClass WORK = UserKiln.perClass("kiln-names-it-");
    private static String registry;
    private static Path root;
    private static Path layerTar;
    private static String base;

    @BeforeAll
    static void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        ExternalTool.assumeInstalled("umoci");
        ExternalTool.assumeInstalled("skopeo");
        root = WORK.kiln().work();
        Path tree = Files.createDirectories(root.resolve("tree"));
        Path data = Files.createDirectories(tree.resolve("data"));
        Files.writeString(FileNames.resolve(data, LATIN1), "latin1\n");
        Files.writeString(FileNames.resolve(data, INVALID), "invalid\n");
        Files.writeString(FileNames.resolve(data, LONG), "long\n");
        Files.createSymbolicLink(FileNames.resolve(data, "link-" + INVALID), FileNames.path(LATIN1));
        Files.createLink(FileNames.resolve(data, "hard-" + LATIN1), FileNames.resolve(data, LATIN1));
        Files.writeString(FileNames.resolve(Files.createDirectories(tree.resolve("etc/ssl/certs")), DEBIAN), "cert\n");
        layerTar = root.resolve("layer.tar");
        run(List.of("tar", "--format=posix", "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
                "--mtime=@1000000000", "--pax-option=delete=atime,delete=ctime", "-cf", layerTar.toString(),
                "-C", tree.toString(), "."));
        Path layout = root.resolve("layout");
        base = registry + "/names/base:" + System.nanoTime();
        ExternalTool.run("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                "docker://" + registry + "/library/busybox:oci", "oci:" + layout + ":busybox").assertSuccess();
        ExternalTool.run("umoci", "raw", "add-layer", "--image", layout + ":busybox", "--tag", "names",
                layerTar.toString()).assertSuccess();
        ExternalTool.run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + layout + ":names",
                "docker://" + base).assertSuccess();
        UserKiln.chown(root);
    }

    /** Runs {@code command} with no locale; returns stdout as bytes (a Latin-1 string), failing on a non-zero exit. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        Path err = Files.createTempFile("kiln-names-it-", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 10 minutes");
        }
        String stderr = Files.readString(err, StandardCharsets.ISO_8859_1);
        Files.delete(err);
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + stderr).isZero();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** {@code kiln ARGS} as the test user, {@code env -i HOME=… PATH=/usr/bin:/bin}: no LANG, no LC_*. */
    private static String kiln(String... args) throws IOException, InterruptedException {
        return run(WORK.kiln().bareCommand(UserKiln.asUser(), root, args));
    }

    private static String bytes(String text) {
        return TarListing.bytes(text);
    }

    /** Prints the names under the given directories, one per line, as raw bytes. */
    private static final String PRINT_NAMES = "for f in /data/* /etc/ssl/certs/*; do printf '%s\\n' \"$f\"; done";

    @Test
    void run_baseImageWithNonUtf8Names_seesTheBytes() throws Exception {
        String out = kiln("run", "--rm", "--root", root.resolve("store").toString(), "--insecure-registry", registry,
                base, "sh", "-c", PRINT_NAMES);
        assertThat(out.split("\n")).containsExactly("/data/" + bytes(LATIN1), "/data/hard-" + bytes(LATIN1),
                "/data/link-" + bytes(INVALID), "/data/" + bytes(LONG), "/data/" + bytes(INVALID),
                "/etc/ssl/certs/" + bytes(DEBIAN));
    }

    @Test
    void buildFromIt_copyAndRun_pushedLayersListByteForByte() throws Exception {
        Path context = Files.createDirectories(root.resolve("context"));
        Path ctx = Files.createDirectories(context.resolve("ctx/sub"));
        Files.writeString(FileNames.resolve(ctx.getParent(), LATIN1), "c1\n");
        Files.writeString(FileNames.resolve(ctx, DEBIAN), "c2\n");
        Files.writeString(FileNames.resolve(ctx.getParent(), "m".repeat(110) + INVALID), "c3\n");
        Files.createSymbolicLink(FileNames.resolve(ctx.getParent(), "ln-" + INVALID), FileNames.path(LATIN1));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\n"
                + "COPY ctx/ /copied/\n"
                + "RUN printf new > \"/data/new-$(printf '\\366')\" && rm \"/data/x$(printf '\\377\\303(')\"\n");
        UserKiln.chown(context);
        String built = registry + "/names/built:" + System.nanoTime();
        kiln("build", "--root", root.resolve("store").toString(), "--insecure-registry", registry,
                "-t", built, "--push", context.toString());

        Path pulled = root.resolve("pulled");
        ExternalTool.run("skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + built,
                "oci:" + pulled + ":built").assertSuccess();
        Image image = OciLayout.open(pulled).image("built", AMD64);
        assertThat(image.layers()).hasSize(5); // busybox's two, the names layer, COPY, RUN
        List<List<String>> listings = new ArrayList<>();
        for (int i = 0; i < image.layers().size(); i++) {
            Path blob = root.resolve("layer-" + i);
            try (InputStream in = image.openLayer(image.layers().get(i))) {
                Files.copy(in, blob);
            }
            listings.add(TarListing.of(blob));
        }
        // the base layer went through pull, store and push untouched: same tar, same listing
        assertThat(image.diffIds().get(2)).isEqualTo(Digest.sha256(Files.readAllBytes(layerTar)));
        assertThat(listings.get(2)).isEqualTo(TarListing.of(layerTar));
        assertThat(listings.get(3)).containsExactly("d copied", "- copied/" + bytes(LATIN1),
                "l copied/ln-" + bytes(INVALID) + " -> " + bytes(LATIN1), "- copied/" + "m".repeat(110) + bytes(INVALID),
                "d copied/sub", "- copied/sub/" + bytes(DEBIAN));
        assertThat(listings.get(4)).containsExactly("d data", "- data/.wh." + bytes(INVALID),
                "- data/new-" + bytes(FileNames.decode(new byte[] {(byte) 0xf6})));

        String out = kiln("run", "--rm", "--root", root.resolve("store").toString(), "--insecure-registry", registry,
                built, "sh", "-c", PRINT_NAMES + "; for f in /copied/*; do printf '%s\\n' \"$f\"; done");
        assertThat(out.split("\n")).contains("/data/new-\u00f6", "/copied/" + bytes(LATIN1),
                "/copied/" + "m".repeat(110) + bytes(INVALID)).doesNotContain("/data/" + bytes(INVALID));
    }
}
