package dev.kiln.builder.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.EngineFixture;
import dev.kiln.oci.Digest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD of http URLs from an in-process server (port 0): name, mode, checksum. */
class AddUrlTest {
    static final byte[] BODY = "downloaded\n".getBytes(StandardCharsets.UTF_8);

    @TempDir Path tmp;
    HttpServer server;
    String base;
    EngineFixture f;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files/tool.sh", ex -> {
            ex.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
            ex.sendResponseHeaders(200, BODY.length);
            ex.getResponseBody().write(BODY);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        f = new EngineFixture(tmp);
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void addUrl_downloadsWithUrlName_mode0600_lastModifiedAsMtime() throws Exception {
        BuiltImage built = f.build("FROM base\nADD " + base + "/files/tool.sh /opt/\n");
        TarArchiveEntry e = f.entries(built.layers().get(2)).get("opt/tool.sh");
        assertThat(e.getMode() & 07777).isEqualTo(0600);
        assertThat(e.getModTime().toInstant().getEpochSecond()).isEqualTo(1445412480L);
        assertThat(f.read(built.layers().get(2), "opt/tool.sh")).isEqualTo("downloaded\n");
    }

    @Test
    void addUrl_checksumVerified() throws Exception {
        String good = Digest.sha256(BODY).toString();
        f.build("FROM base\nADD --checksum=" + good + " " + base + "/files/tool.sh /t\n");
        String bad = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> f.build("FROM base\nADD --checksum=" + bad + " " + base + "/files/tool.sh /t\n"))
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void copyUrl_isRefused() {
        assertThatThrownBy(() -> f.build("FROM base\nCOPY " + base + "/files/tool.sh /t\n"))
                .isInstanceOf(dev.kiln.builder.dockerfile.DockerfileException.class).hasMessageStartingWith("Dockerfile:2:").hasMessageContaining("URL");
    }
}
