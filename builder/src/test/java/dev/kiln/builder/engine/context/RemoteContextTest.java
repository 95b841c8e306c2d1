package dev.kiln.builder.engine.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.TestImages;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL build contexts against an in-process HTTP server and local git repositories. */
class RemoteContextTest {
    @TempDir Path tmp;
    HttpServer server;
    final Map<String, byte[]> served = new TreeMap<>();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                if (body != null) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void isUrl_andIsGit_followDockersRules() {
        assertThat(RemoteContext.isGit("https://example.com/team/repo.git#main:app")).isTrue();
        assertThat(RemoteContext.isGit("git@github.com:team/repo.git")).isTrue();
        assertThat(RemoteContext.isGit("git://example.com/repo")).isTrue();
        assertThat(RemoteContext.isGit("github.com/team/repo")).isTrue();
        assertThat(RemoteContext.isGit("file:///srv/repo.git#v1")).isTrue();
        assertThat(RemoteContext.isGit("https://example.com/ctx.tar.gz")).isFalse();
        assertThat(RemoteContext.isUrl("https://example.com/ctx.tar.gz")).isTrue();
        assertThat(RemoteContext.isUrl("./app")).isFalse();
        assertThat(RemoteContext.isUrl("-")).isFalse();
    }

    @Test
    void fetch_gzipTarball_extractedAsTheContext() throws Exception {
        Map<String, String> files = new TreeMap<>();
        files.put("Dockerfile", "FROM scratch\nCOPY hello.txt /\n");
        files.put("hello.txt", "hello\n");
        served.put("/ctx.tar.gz", TestImages.gzip(TestImages.tar(files)));

        RemoteContext.Fetched f = RemoteContext.fetch(url("/ctx.tar.gz"), tmp);
        assertThat(f.dockerfileText()).isNull();
        assertThat(f.context().resolve("hello.txt")).hasContent("hello");
        assertThat(f.context().resolve("Dockerfile")).exists();
    }

    @Test
    void fetch_plainTextBody_isTheDockerfileWithAnEmptyContext() throws Exception {
        served.put("/Dockerfile", "FROM scratch\nLABEL a=b\n".getBytes(StandardCharsets.UTF_8));

        RemoteContext.Fetched f = RemoteContext.fetch(url("/Dockerfile"), tmp);
        assertThat(f.dockerfileText()).isEqualTo("FROM scratch\nLABEL a=b\n");
        try (var s = Files.list(f.context())) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void fetch_notFound_saysHttp404() {
        assertThatThrownBy(() -> RemoteContext.fetch(url("/missing.tar"), tmp)).isInstanceOf(KilnException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("/missing.tar");
    }

    /** A bare repository with two commits on main (tagged v1, then v2) and a subdir app/. */
    private Path bareRepo() throws Exception {
        Path work = tmp.resolve("src");
        Files.createDirectories(work.resolve("app"));
        git(work.getParent(), "init", "-q", "-b", "main", work.toString());
        Files.writeString(work.resolve("app/Dockerfile"), "FROM scratch\nCOPY v.txt /\n");
        Files.writeString(work.resolve("app/v.txt"), "one\n");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "one");
        git(work, "tag", "v1");
        Files.writeString(work.resolve("app/v.txt"), "two\n");
        git(work, "commit", "-q", "-am", "two");
        Path bare = tmp.resolve("repo.git");
        git(tmp, "clone", "-q", "--bare", work.toString(), bare.toString());
        return bare;
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=kiln",
                "-c", "user.email=kiln@example.com"));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd.toArray(String[]::new)).assertSuccess().stdout().strip();
    }

    @Test
    void fetch_gitUrlWithRefAndSubdir_checksOutThatDirectoryWithoutDotGit() throws Exception {
        Path bare = bareRepo();
        RemoteContext.Fetched head = RemoteContext.fetch("file://" + bare + "#main:app", tmp.resolve("a"));
        assertThat(head.context().resolve("v.txt")).hasContent("two");
        assertThat(head.context().getFileName().toString()).isEqualTo("app");
        assertThat(head.context().getParent().resolve(".git")).doesNotExist();

        RemoteContext.Fetched tag = RemoteContext.fetch("file://" + bare + "#v1:app", tmp.resolve("b"));
        assertThat(tag.context().resolve("v.txt")).hasContent("one");

        String first = git(bare, "rev-list", "--max-parents=0", "HEAD");
        RemoteContext.Fetched commit = RemoteContext.fetch("file://" + bare + "#" + first + ":app", tmp.resolve("c"));
        assertThat(commit.context().resolve("v.txt")).hasContent("one");

        RemoteContext.Fetched whole = RemoteContext.fetch("file://" + bare, tmp.resolve("d"));
        assertThat(whole.context().resolve("app/v.txt")).hasContent("two");
    }

    @Test
    void fetch_gitSubdirOutsideTheRepository_isRefused() throws Exception {
        Path bare = bareRepo();
        assertThatThrownBy(() -> RemoteContext.fetch("file://" + bare + "#main:../..", tmp.resolve("e")))
                .isInstanceOf(KilnException.class).hasMessageContaining("has no directory ../..");
        assertThatThrownBy(() -> RemoteContext.fetch("file://" + bare + "#no-such-branch", tmp.resolve("f")))
                .isInstanceOf(KilnException.class).hasMessageContaining("git ");
    }

    /**
     * Issue 11, finding 6: a repository from the network whose .gitmodules names a local path must
     * not pull that local (private) repository into the build context.
     */
    @Test
    void gitSubmodules_ofARemoteRepository_neverFetchALocalRepository() throws Exception {
        Path priv = tmp.resolve("private");
        Files.createDirectories(priv);
        git(tmp, "init", "-q", "-b", "main", priv.toString());
        Files.writeString(priv.resolve("id_rsa"), "PRIVATE KEY\n");
        git(priv, "add", "-A");
        git(priv, "commit", "-q", "-m", "secret");

        Path evil = tmp.resolve("evil");
        Files.createDirectories(evil);
        git(tmp, "init", "-q", "-b", "main", evil.toString());
        Files.writeString(evil.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        git(evil, "-c", "protocol.file.allow=always", "submodule", "add", "-q", priv.toString(), "loot");
        git(evil, "add", "-A");
        git(evil, "commit", "-q", "-m", "innocent");
        Path bare = tmp.resolve("evil.git");
        git(tmp, "clone", "-q", "--bare", evil.toString(), bare.toString());
        git(bare, "update-server-info"); // served as git's "dumb" HTTP: plain files
        try (var files = Files.walk(bare)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                served.put("/evil.git/" + bare.relativize(f), Files.readAllBytes(f));
            }
        }

        Path dir = tmp.resolve("fetched");
        try {
            RemoteContext.Fetched fetched = RemoteContext.fetch(url("/evil.git"), dir);
            assertThat(fetched.context().resolve("loot/id_rsa")).doesNotExist();
        } catch (dev.kiln.oci.KilnException refused) {
            assertThat(refused.getMessage()).contains("submodule");
        }
        try (var all = Files.walk(dir)) {
            assertThat(all.map(Path::toString)).noneMatch(p -> p.endsWith("id_rsa"));
        }
    }
}
