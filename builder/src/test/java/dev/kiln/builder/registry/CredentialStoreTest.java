package dev.kiln.builder.registry;

import dev.kiln.oci.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
    @TempDir Path home;

    private AuthEnvironment env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("PATH", home.resolve("bin") + ":/usr/bin:/bin");
        return new AuthEnvironment(env, home);
    }

    private Path dockerConfig(String json) throws Exception {
        Path f = home.resolve(".docker/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
        return f;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A fake docker-credential-NAME that logs its calls and answers "get" for one server. */
    private void helper(String name, String server, String user, String secret) throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path exe = bin.resolve("docker-credential-" + name);
        Files.writeString(exe, "#!/bin/sh\n"
                + "input=$(cat)\n"
                + "echo \"$1 $input\" >> " + home.resolve(name + ".log") + "\n"
                + "case \"$1\" in\n"
                + "get) if [ \"$input\" = \"" + server + "\" ]; then\n"
                + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}' \"$input\"\n"
                + "  else echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
                + "store|erase) ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void lookup_base64AuthEntry_decodesUserAndPassword() throws Exception {
        dockerConfig("{\"auths\":{\"127.0.0.1:5101\":{\"auth\":\"" + b64("kiln:kiln-secret") + "\"}}}");
        Credentials c = new CredentialStore(env(Map.of())).lookup("127.0.0.1:5101");
        assertThat(c.username()).isEqualTo("kiln");
        assertThat(c.password()).isEqualTo("kiln-secret");
        assertThat(c.toString()).doesNotContain("kiln-secret");
    }

    @Test
    void lookup_dockerHubUnderLegacyUrlKey_isFoundForDockerIo() throws Exception {
        dockerConfig("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("u:p:with:colons") + "\"}}}");
        Credentials c = new CredentialStore(env(Map.of())).lookup("docker.io");
        assertThat(c.username()).isEqualTo("u");
        assertThat(c.password()).isEqualTo("p:with:colons");
    }

    @Test
    void lookup_unknownRegistry_isAnonymous() throws Exception {
        dockerConfig("{\"auths\":{\"other:1\":{\"auth\":\"" + b64("a:b") + "\"}}}");
        assertThat(new CredentialStore(env(Map.of())).lookup("mine:2").isAnonymous()).isTrue();
    }

    @Test
    void lookup_credHelperForHost_runsHelperWithServerOnStdin() throws Exception {
        helper("fake", "reg.example:443", "robot", "s3cret");
        dockerConfig("{\"credHelpers\":{\"reg.example:443\":\"fake\"},"
                + "\"auths\":{\"reg.example:443\":{\"auth\":\"" + b64("wrong:wrong") + "\"}}}");
        Credentials c = new CredentialStore(env(Map.of())).lookup("reg.example:443");
        assertThat(c.username()).isEqualTo("robot");
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(Files.readString(home.resolve("fake.log"))).contains("get reg.example:443");
    }

    @Test
    void lookup_credsStore_usedWhenAuthsEntryIsEmpty() throws Exception {
        helper("store", "https://index.docker.io/v1/", "<token>", "refresh-token");
        dockerConfig("{\"credsStore\":\"store\",\"auths\":{\"https://index.docker.io/v1/\":{}}}");
        Credentials c = new CredentialStore(env(Map.of())).lookup("docker.io");
        assertThat(c.identityToken()).isEqualTo("refresh-token");
        assertThat(c.username()).isNull();
    }

    @Test
    void lookup_helperMissing_saysWhichHelper() throws Exception {
        dockerConfig("{\"credsStore\":\"nosuch\"}");
        assertThatThrownBy(() -> new CredentialStore(env(Map.of())).lookup("x:1"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("docker-credential-nosuch");
    }

    @Test
    void lookup_registryAuthFile_winsOverDockerConfig() throws Exception {
        dockerConfig("{\"auths\":{\"h:1\":{\"auth\":\"" + b64("docker:x") + "\"}}}");
        Path authFile = home.resolve("auth.json");
        Files.writeString(authFile, "{\"auths\":{\"h:1\":{\"auth\":\"" + b64("podman:y") + "\"}}}");
        assertThat(new CredentialStore(env(Map.of("REGISTRY_AUTH_FILE", authFile.toString())))
                .lookup("h:1").username()).isEqualTo("podman");
    }

    @Test
    void lookup_containersAuthJsonInRuntimeDir_isRead() throws Exception {
        Path runtime = home.resolve("run");
        Files.createDirectories(runtime.resolve("containers"));
        Files.writeString(runtime.resolve("containers/auth.json"),
                "{\"auths\":{\"h:1\":{\"auth\":\"" + b64("rt:z") + "\"}}}");
        assertThat(new CredentialStore(env(Map.of("XDG_RUNTIME_DIR", runtime.toString())))
                .lookup("h:1").username()).isEqualTo("rt");
    }

    @Test
    void login_writesBase64AuthLikeDockerAndKeepsOtherSettings() throws Exception {
        Path f = dockerConfig("{\"psFormat\":\"table\",\"auths\":{\"old:1\":{\"auth\":\"" + b64("a:b") + "\"}}}");
        CredentialStore store = new CredentialStore(env(Map.of()));
        store.login("docker.io", Credentials.basic("me", "pw"));
        JsonNode json = Json.mapper().readTree(f.toFile());
        assertThat(json.path("psFormat").asText()).isEqualTo("table");
        assertThat(json.path("auths").path("https://index.docker.io/v1/").path("auth").asText()).isEqualTo(b64("me:pw"));
        assertThat(json.path("auths").has("old:1")).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(store.lookup("docker.io").password()).isEqualTo("pw");
    }

    @Test
    void login_withCredsStore_storesInHelperNotInFile() throws Exception {
        helper("store", "none", "x", "y");
        Path f = dockerConfig("{\"credsStore\":\"store\"}");
        new CredentialStore(env(Map.of())).login("h:1", Credentials.basic("me", "pw"));
        assertThat(Files.readString(f)).doesNotContain(b64("me:pw"));
        assertThat(Files.readString(home.resolve("store.log"))).contains("store {").contains("\"Secret\":\"pw\"");
    }

    @Test
    void logout_removesEntry_andReportsWhetherThereWasOne() throws Exception {
        dockerConfig("{\"auths\":{\"h:1\":{\"auth\":\"" + b64("a:b") + "\"}}}");
        CredentialStore store = new CredentialStore(env(Map.of()));
        assertThat(store.logout("h:1")).isTrue();
        assertThat(store.lookup("h:1").isAnonymous()).isTrue();
        assertThat(store.logout("h:1")).isFalse();
    }
}
