package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.ExternalTool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import dev.kiln.oci.layer.TarReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code RUN --mount} end to end, as the unprivileged {@code KILN_IT_USER} (when the tests run as
 * root) building from busybox in the test registry: a cache mount that outlives builds and
 * {@code --no-cache}, secrets (file and env) that reach the RUN and no layer, config, history,
 * store file or log line, binds from the context (ignore rules applied) and from another stage,
 * tmpfs, an SSH agent socket, and the mount points kept out of the layers.
 */
class RunMountIT {
    private static final String SECRET = "kiln-it-s3cr3t-4f9a2c";
    private static final String ENV_SECRET = "kiln-it-env-s3cr3t-77b1";

    String registry;
    UserKiln kiln;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        kiln = UserKiln.create("kiln-mount-it-");
        work = kiln.work();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (kiln != null) {
            kiln.delete();
        }
    }

    /** {@code kiln build --root work/store --registry-mirror ... --progress plain ARGS}, as the test user. */
    private UserKiln.Result build(Map<String, String> env, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--root", work.resolve("store").toString(),
                "--registry-mirror", "docker.io=" + registry, "--progress", "plain"));
        args.addAll(List.of(extra));
        return kiln.run(env, 10, args.toArray(String[]::new));
    }

    @Test
    void cacheMount_counterSurvivesASecondBuildWithNoCache_andStaysOutOfTheLayer() throws Exception {
        Path ctx = kiln.context("cache", "FROM busybox\n"
                + "RUN --mount=type=cache,target=/var/cache/counter,id=counter \\\n"
                + "    n=$(cat /var/cache/counter/n 2>/dev/null || echo 0); n=$((n+1)); "
                + "echo $n > /var/cache/counter/n; echo count=$n\n", Map.of());
        Path archive = work.resolve("cache.tar");
        UserKiln.Result first = build(Map.of(), "-o", archive.toString(), ctx.toString()).ok();
        assertThat(first.out()).contains("count=1");
        UserKiln.Result second = build(Map.of(), "--no-cache", ctx.toString()).ok();
        assertThat(second.out()).contains("count=2");
        List<String> names = scan(archive).names();
        assertThat(names).noneMatch(n -> n.startsWith("var/"));
    }

    @Test
    void secretsBindsAndTmpfs_reachTheRun_andLeaveNothingInTheImageOrStore() throws Exception {
        Path ctx = kiln.context("all", "FROM busybox AS build\n"
                + "RUN mkdir -p /out && echo from-the-stage > /out/artifact\n"
                + "FROM busybox\n"
                + "RUN --mount=type=secret,id=tok --mount=type=secret,id=envtok,env=TOKEN,required \\\n"
                + "    --mount=source=src,target=/ctx --mount=from=build,source=/out,target=/in \\\n"
                + "    --mount=type=tmpfs,target=/scratch,size=8m \\\n"
                + "    test \"$(cat /run/secrets/tok)\" = \"" + SECRET.substring(0, 7) + "$(cut -c8- /run/secrets/tok)\" \\\n"
                + "    && test -n \"$TOKEN\" && echo secrets-ok && cat /ctx/hello.txt && cat /in/artifact \\\n"
                + "    && test ! -e /ctx/ignored.txt && echo ignored-ok && echo scratch > /scratch/f \\\n"
                + "    && grep -c ' /scratch tmpfs ' /proc/mounts && echo kept > /kept\n",
                Map.of("src/hello.txt", "hello from the context\n", "src/ignored.txt", "ignored\n",
                        ".dockerignore", "src/ignored.txt\n"));
        Path secretFile = work.resolve("secret.txt");
        Files.writeString(secretFile, SECRET);
        UserKiln.chown(secretFile);
        Path archive = work.resolve("all.tar");
        Map<String, String> env = Map.of("KILN_IT_ENV_SECRET", ENV_SECRET);
        UserKiln.Result r = build(env, "--secret", "id=tok,src=" + secretFile, "--secret", "id=envtok,env=KILN_IT_ENV_SECRET",
                "-t", "mount-it", "-o", archive.toString(), ctx.toString()).ok();
        assertThat(r.out().lines().map(l -> l.replaceFirst("^\\[#1\\] ", "")))
                .containsSubsequence("secrets-ok", "hello from the context", "from-the-stage", "ignored-ok", "1");
        assertThat(r.out() + r.err()).doesNotContain(SECRET).doesNotContain(ENV_SECRET);

        Scan scan = scan(archive, SECRET.getBytes(StandardCharsets.UTF_8), ENV_SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(scan.names()).contains("kept");
        assertThat(scan.names()).noneMatch(n -> n.startsWith("run/") || n.startsWith("ctx") || n.startsWith("in/")
                || n.equals("in") || n.startsWith("scratch"));
        ExternalTool.Result grep = ExternalTool.run("grep", "-r", "-l", "-a", "-e", SECRET, "-e", ENV_SECRET,
                work.resolve("store").toString());
        assertThat(grep.stdout()).as("no store file holds a secret").isEmpty();
        assertThat(ExternalTool.run("grep", "-r", "-l", "-a", "-e", SECRET, "/dev/shm").stdout())
                .as("no secret file is left in /dev/shm").isEmpty();

        Files.writeString(secretFile, "rotated-secret-value");
        UserKiln.Result again = build(env, "--secret", "id=tok,src=" + secretFile, "--secret",
                "id=envtok,env=KILN_IT_ENV_SECRET", ctx.toString()).ok();
        assertThat(again.out()).as("a secret's value is not part of the cache key")
                .contains("[#1] --> CACHED").doesNotContain("[#1] secrets-ok");
    }

    @Test
    void secretAndCacheMounts_takeTheirOwnersAndModes() throws Exception {
        Path ctx = kiln.context("owners", "FROM busybox\n"
                + "RUN --mount=type=secret,id=tok,uid=1000,gid=50,mode=0440 --mount=type=cache,target=/c,uid=1000,mode=0700 \\\n"
                + "    stat -c 'secret=%u:%g:%a' /run/secrets/tok && stat -c 'cache=%u:%a' /c\n", Map.of());
        Path secretFile = work.resolve("owners-secret.txt");
        Files.writeString(secretFile, SECRET);
        UserKiln.chown(secretFile);
        UserKiln.Result r = build(Map.of(), "--secret", "id=tok,src=" + secretFile, ctx.toString()).ok();
        assertThat(r.out()).contains("secret=1000:50:440", "cache=1000:700");
    }

    @Test
    void missingRequiredSecret_failsAtItsLine() throws Exception {
        Path ctx = kiln.context("missing", "FROM busybox\n\nRUN --mount=type=secret,id=nope,required cat /run/secrets/nope\n",
                Map.of());
        UserKiln.Result r = build(Map.of(), ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:3").contains("secret nope not found").contains("--secret id=nope");
    }

    @Test
    void sshMount_forwardsTheAgentSocket() throws Exception {
        Path ctx = kiln.context("ssh", "FROM busybox\nRUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo agent=$SSH_AUTH_SOCK\n",
                Map.of());
        Path sock = work.resolve("agent.sock");
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(sock));
            UserKiln.chown(sock);
            UserKiln.Result r = build(Map.of("SSH_AUTH_SOCK", sock.toString()), "--ssh", "default", ctx.toString()).ok();
            assertThat(r.out()).contains("agent=/run/buildkit/ssh_agent.0");
        }
    }

    record Scan(List<String> names) {}

    /**
     * Reads every blob of an OCI archive (layers decompressed): none may contain any of
     * {@code forbidden}; returns the entry names of all layers.
     */
    private static Scan scan(Path archive, byte[]... forbidden) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                byte[] bytes = tar.readAllBytes();
                if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                        bytes = in.readAllBytes();
                    }
                    try (TarArchiveInputStream layer = new TarReader(new ByteArrayInputStream(bytes))) {
                        TarArchiveEntry le;
                        while ((le = layer.getNextEntry()) != null) {
                            names.add(le.getName());
                        }
                    }
                }
                for (byte[] f : forbidden) {
                    assertThat(indexOf(bytes, f)).as("%s holds a forbidden value", e.getName()).isEqualTo(-1);
                }
            }
        }
        return new Scan(names);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
