package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.builder.store.LocalStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Hub's flow against the real {@code auth: token} registry: kiln asks our in-process token
 * server for scoped JWTs, pushes (monolithic and chunked), then pulls back the same digests.
 */
class TokenRegistryIT {
    @TempDir Path tmp;
    String source;
    String tokenRegistry;
    TokenServer tokens;
    /** Repositories are new on every run, so no blob is already there from an earlier run. */
    final String run = Long.toHexString(System.nanoTime());

    @BeforeEach
    void setUp() throws Exception {
        source = ItEnv.require("KILN_IT_REGISTRY");
        tokenRegistry = ItEnv.require("KILN_IT_REGISTRY_TOKEN");
        Path cert = Path.of(ItEnv.require("KILN_IT_TOKEN_CERT"));
        Path key = Path.of(ItEnv.require("KILN_IT_TOKEN_KEY"));
        String issuer = System.getenv().getOrDefault("KILN_IT_TOKEN_ISSUER", "kiln-token-server");
        tokens = new TokenServer(ItEnv.tokenServerPort(), key, cert, issuer, "kiln", "kiln-secret");
    }

    @AfterEach
    void tearDown() {
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void push_throughTokenFlow_thenPullBack_sameDigests() throws Exception {
        Kiln kiln = new Kiln(tmp.resolve("store"));
        String from = source + "/library/busybox:oci";
        String to = tokenRegistry + "/kiln-" + run + "/busybox:pushed";
        kiln.run("pull", from).ok();
        kiln.run("push", from, to).ok();

        assertThat(tokens.requests).isNotEmpty();
        assertThat(tokens.requests).anySatisfy(scopes -> assertThat(scopes).contains("repository:kiln-" + run + "/busybox:pull,push"));
        // 1 config + 2 layers + manifest under one scope: tokens are cached, not fetched per request.
        assertThat(tokens.requests.size()).isLessThanOrEqualTo(2);

        Kiln fresh = new Kiln(tmp.resolve("fresh"));
        fresh.run("pull", to).ok();
        String expected = Kiln.skopeoInspect("docker://" + from, false).path("Digest").asText();
        assertThat(new LocalStore(fresh.root()).image(to).orElseThrow().manifest().toString()).isEqualTo(expected);
    }

    @Test
    void copy_chunkedUploadAndCrossRepoMount_keepDigests() throws Exception {
        Kiln kiln = new Kiln(tmp.resolve("store"));
        String from = source + "/library/python:3.9-slim";
        String first = tokenRegistry + "/kiln-" + run + "/python:chunked";
        kiln.run("copy", "--chunk-size", String.valueOf(8 << 20), "docker://" + from, "docker://" + first).ok();
        kiln.run("pull", first).ok();
        String second = tokenRegistry + "/other-" + run + "/python:mounted";
        Kiln.Run pushed = kiln.run("push", first, second).ok();
        assertThat(pushed.err()).contains("mounted from kiln-" + run + "/python");
        assertThat(tokens.requests).anySatisfy(scopes ->
                assertThat(scopes).containsExactlyInAnyOrder("repository:other-" + run + "/python:pull,push",
                        "repository:kiln-" + run + "/python:pull"));

        JsonNode src = Kiln.skopeoInspect("docker://" + from, false);
        Kiln check = new Kiln(tmp.resolve("check"));
        for (String ref : List.of(first, second)) {
            check.run("pull", ref).ok();
            assertThat(new LocalStore(check.root()).image(ref).orElseThrow().manifest().toString())
                    .isEqualTo(src.path("Digest").asText());
        }
    }

    @Test
    void pull_anonymousFromEmptyRepo_failsWithRegistryMessage() {
        Kiln.Run result = new Kiln(tmp.resolve("s")).run("pull", tokenRegistry + "/nothing/here:1");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("404").doesNotContain("\tat ");
    }
}
