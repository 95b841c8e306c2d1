package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.oci.Json;
import dev.kiln.oci.layout.DockerArchive;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.builder.registry.FakeRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build} in-process on a scratch-based Dockerfile (no registry, no runtime needed). */
class BuildCommandTest {
    @TempDir Path tmp;
    Path ctx;


    @BeforeEach
    void setUp() throws Exception {
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\nCMD [\"/hello\"]\n");
    }

    private InProcessKiln.Run kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--root");
        all.add(2, tmp.resolve("store").toString());
        return InProcessKiln.run(all.toArray(String[]::new));
    }

    @Test
    void build_tagsImage_writesOciArchive_idAndMetadataFiles() throws Exception {
        Path archive = tmp.resolve("out/image.tar");
        Path iid = tmp.resolve("iid");
        Path meta = tmp.resolve("meta.json");
        InProcessKiln.Run r = kiln("build", "-t", "hello:1", "-o", "type=oci,dest=" + archive, "--iidfile", iid.toString(),
                "--metadata-file", meta.toString(), ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("STEP 2/3: COPY hello.txt /").contains("\nSuccessfully tagged hello:1\n");
        String id = r.out().strip().substring(r.out().strip().lastIndexOf('\n') + 1);
        assertThat(Files.readString(iid)).isEqualTo(id);
        assertThat(Json.readTree(Files.readAllBytes(meta)).path("containerimage.config.digest").asText()).isEqualTo(id);
        OciLayout layout = OciArchive.extract(archive, tmp.resolve("layout"));
        assertThat(layout.tags()).containsExactly("1");
        ImageValidator.validate(layout);
        assertThat(kiln("images").out()).containsPattern("(?m)^hello +1 ");
    }

    @Test
    void quiet_printsOnlyTheImageId() {
        InProcessKiln.Run r = kiln("build", "-q", ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void dockerfileWarning_printedOnceWithItsPosition() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nMAINTAINER me\nCOPY hello.txt /\n");
        InProcessKiln.Run r = kiln("build", "-q", ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("WARNING: Dockerfile:2:1: warning: MAINTAINER is deprecated")
                .doesNotContain("DockerfileWarning[");
        assertThat(r.err().split("WARNING:", -1)).hasSize(2);
    }

    @Test
    void failedBuild_leavesNoOutputFileAndNoTag() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY missing.txt /\n");
        Path archive = tmp.resolve("never.tar");
        InProcessKiln.Run r = kiln("build", "-t", "never", "-o", archive.toString(), ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2:").contains("missing.txt");
        assertThat(archive).doesNotExist();
        assertThat(kiln("images").out()).doesNotContain("never");
    }

    @Test
    void dockerfileSyntaxError_exitsOneWithPosition() {
        try {
            Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPPY a b\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        InProcessKiln.Run r = kiln("build", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2");
    }

    @Test
    void localOutput_writesTheRootFilesystem() throws Exception {
        Path dir = tmp.resolve("rootfs");
        InProcessKiln.Run r = kiln("build", "-o", "type=local,dest=" + dir, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(dir.resolve("hello.txt")).hasContent("hello");
    }

    @Test
    void dockerOutput_writesADockerArchive() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        InProcessKiln.Run r = kiln("build", "-t", "d:2", "-o", "type=docker,dest=" + archive, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(archive).exists();
    }

    @Test
    void dockerOutput_repoTagsInDockersFamiliarForm() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        InProcessKiln.Run r = kiln("build", "-t", "docker.io/library/foo/bar:1", "-t", "index.docker.io/team/app",
                "-t", "127.0.0.1:5000/library/x:2", "-o", "type=docker,dest=" + archive, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<DockerArchive.Entry> entries = DockerArchive.read(archive, Files.createDirectories(tmp.resolve("read")));
        // docker keeps "library/" when more than one path component follows it
        assertThat(entries).singleElement().extracting(DockerArchive.Entry::repoTags).asList()
                .containsExactly("library/foo/bar:1", "team/app:latest", "127.0.0.1:5000/library/x:2");
        // and index.json names each in full, as docker save does (io.containerd.image.name)
        List<String> fullNames = new ArrayList<>();
        Json.mapper().readTree(tarEntry(archive, "index.json")).path("manifests")
                .forEach(m -> fullNames.add(m.path("annotations").path("io.containerd.image.name").asText()));
        assertThat(fullNames).containsExactly("docker.io/library/foo/bar:1", "docker.io/team/app:latest",
                "127.0.0.1:5000/library/x:2");
    }

    @Test
    void rmi_printsNamesInTheFamiliarForm_likeSystemPrune() {
        assertThat(kiln("build", "-t", "docker.io/library/app:1", "-t", "team/tool", ctx.toString()).exit()).isZero();
        InProcessKiln.Run byName = kiln("rmi", "app:1");
        assertThat(byName.exit()).as(byName.err()).isZero();
        assertThat(byName.out()).contains("Untagged: app:1\n");
        InProcessKiln.Run byId = kiln("rmi", kiln("images", "-q").out().strip().lines().findFirst().orElseThrow());
        assertThat(byId.exit()).as(byId.err()).isZero();
        assertThat(byId.out()).contains("Untagged: team/tool:latest\n");
    }

    @Test
    void dockerArchive_imagePickedByAnySpellingOfItsName() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        InProcessKiln.Run r = kiln("build", "-t", "docker.io/library/foo/bar:1", "-t", "team/app",
                "-o", "type=docker,dest=" + archive, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        for (String spelling : List.of("library/foo/bar:1", "docker.io/library/foo/bar:1", "team/app",
                "index.docker.io/team/app:latest")) {
            InProcessKiln.Run copy = kiln("copy", "docker-archive:" + archive + ":" + spelling, "kiln:picked");
            assertThat(copy.exit()).as("docker-archive:…:%s (stderr: %s)", spelling, copy.err()).isZero();
        }
        InProcessKiln.Run missing = kiln("copy", "docker-archive:" + archive + ":foo/bar:1", "kiln:picked");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("no image 'foo/bar:1'");
    }

    private static byte[] tarEntry(Path tar, String name) throws Exception {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextTarEntry(); e != null; e = in.getNextTarEntry()) {
                if (e.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new AssertionError(name + " not in " + tar);
    }

    /**
     * One build command, one set of registry settings for its FROM pull and its {@code --push}: the
     * registry is off loopback, so plain HTTP to it needs {@code --insecure-registry} (without it
     * kiln speaks HTTPS, which this plain-HTTP registry never answers), and the base comes through
     * a {@code --registry-mirror} for docker.io.
     */
    @Test
    void push_andFromPull_useTheCommandsRegistrySettings() throws Exception {
        String address = nonLoopbackIpv4();
        try (FakeRegistry registry = new FakeRegistry(address)) {
            String host = registry.host();
            InProcessKiln.Run base = kiln("build", "--push", "--insecure-registry", host, "-t",
                    host + "/library/base:1", ctx.toString());
            assertThat(base.exit()).as(base.err()).isZero();
            assertThat(registry.count("PUT", "/v2/library/base/manifests/1")).isOne();

            Files.writeString(ctx.resolve("Dockerfile"), "FROM base:1\nCOPY hello.txt /again.txt\n");
            InProcessKiln.Run app = kiln("build", "--push", "--insecure-registry", host,
                    "--registry-mirror", "docker.io=" + host, "-t", host + "/team/app:2", ctx.toString());
            assertThat(app.exit()).as(app.err()).isZero();
            assertThat(registry.count("GET", "/v2/library/base/manifests/1")).as("FROM through the mirror").isOne();
            assertThat(registry.count("PUT", "/v2/team/app/manifests/2")).as("the push").isOne();
        }
    }

    /** An IPv4 address of this machine off loopback (loopback registries are always plain HTTP). */
    private static String nonLoopbackIpv4() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        assumeTrue(false, "this machine has no IPv4 address off loopback: the --insecure-registry rule "
                + "cannot be exercised here");
        return null;
    }

    @Test
    void urlContexts_tarballOverHttpAndGitRepository_buildLikeADirectory() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "in-process only as root: a rootless kiln re-executes itself in a user namespace before fetching a URL");
        ExternalTool.run("tar", "-czf", tmp.resolve("ctx.tar.gz").toString(), "-C", ctx.toString(), ".").assertSuccess();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] tarball = Files.readAllBytes(tmp.resolve("ctx.tar.gz"));
        server.createContext("/ctx.tar.gz", ex -> {
            ex.sendResponseHeaders(200, tarball.length);
            try (var out = ex.getResponseBody()) {
                out.write(tarball);
            }
        });
        server.start();
        String local;
        try {
            local = kiln("build", "-q", ctx.toString()).out().strip();
            InProcessKiln.Run r = kiln("build", "-q", "http://127.0.0.1:" + server.getAddress().getPort() + "/ctx.tar.gz");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).as("same files, same image").isEqualTo(local);
        } finally {
            server.stop(0);
        }

        Path repo = tmp.resolve("src");
        Files.createDirectories(repo.resolve("sub"));
        Files.copy(ctx.resolve("hello.txt"), repo.resolve("sub/hello.txt"));
        Files.copy(ctx.resolve("Dockerfile"), repo.resolve("sub/Dockerfile"));
        for (String[] git : new String[][] {{"init", "-q", "-b", "trunk"}, {"add", "-A"}, {"commit", "-q", "-m", "c"},
                {"clone", "-q", "--bare", ".", tmp.resolve("repo.git").toString()}}) {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=k",
                    "-c", "user.email=k@example.com"));
            cmd.addAll(List.of(git));
            ExternalTool.run(cmd.toArray(String[]::new)).assertSuccess();
        }
        // A checkout gives its files the time of the checkout, which the layer records: the same
        // files, another layer (the cache key holds mtimes, unlike BuildKit's; docs/build.md).
        Path fromGit = tmp.resolve("from-git");
        InProcessKiln.Run g = kiln("build", "-q", "-t", "from-git", "-o", "type=local,dest=" + fromGit,
                "file://" + tmp.resolve("repo.git") + "#trunk:sub");
        assertThat(g.exit()).as(g.err()).isZero();
        assertThat(g.out().strip()).matches("sha256:[0-9a-f]{64}");
        assertThat(fromGit.resolve("hello.txt")).hasSameBinaryContentAs(ctx.resolve("hello.txt"));
        assertThat(Files.getPosixFilePermissions(fromGit.resolve("hello.txt")))
                .isEqualTo(Files.getPosixFilePermissions(ctx.resolve("hello.txt")));
        try (var files = Files.list(fromGit)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("hello.txt");
        }
    }

    // Issue 11, finding 8: hostile Dockerfile bytes give one clear error, no stack trace, no OOM.

    @Test
    void inputLimits_notUtf8_namesTheLine() throws Exception {
        Files.write(ctx.resolve("Dockerfile"), new byte[] {'F', 'R', 'O', 'M', ' ', 's', 'c', 'r', 'a', 't', 'c', 'h',
            '\n', 'L', 'A', 'B', 'E', 'L', ' ', 'a', '=', (byte) 0xc3, '\n'});
        InProcessKiln.Run r = kiln("build", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2: not valid UTF-8").doesNotContain("Exception", "\tat ");
    }

    @Test
    void inputLimits_utf8WithBom_builds() throws Exception {
        Files.write(ctx.resolve("Dockerfile"), "\uFEFFFROM scratch\nLABEL a=\u00e9\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(kiln("build", "-q", ctx.toString()).exit()).isZero();
    }

    @Test
    void inputLimits_fiftyMegabyteOneWordDockerfile_failsFastAndClearly() throws Exception {
        byte[] word = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(word, (byte) 'A');
        Files.write(ctx.resolve("Dockerfile"), word);
        InProcessKiln.Run r = kiln("build", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile: more than 8 MiB").doesNotContain("OutOfMemoryError", "\tat ");
    }
}
