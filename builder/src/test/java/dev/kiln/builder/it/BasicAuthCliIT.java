package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.kiln.builder.store.LocalStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kiln as a separate process (as the unprivileged test user when run as root) against the Basic
 * auth registry: login writes docker's config, a wrong password prints the registry's 401 message.
 */
class BasicAuthCliIT {
    String registry;
    String user;
    String password;
    Path home;

    record Proc(int exit, String out, String err) {}

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY_BASIC");
        user = ItEnv.require("KILN_IT_BASIC_USER");
        password = ItEnv.require("KILN_IT_BASIC_PASSWORD");
        home = Files.createTempDirectory("kiln-basic-home");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void tearDown() {
        LocalStore.deleteTree(home);
    }

    private Proc kiln(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            String runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser" : "runuser";
            cmd.addAll(List.of(runuser, "-u", ItEnv.require("KILN_IT_USER"), "--"));
        }
        cmd.addAll(List.of("env", "HOME=" + home, "XDG_RUNTIME_DIR=", "REGISTRY_AUTH_FILE=", "DOCKER_CONFIG=",
                "java", "-jar", ItEnv.jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void login_wrongPassword_printsRegistry401MessageAndExits1WithoutStackTrace() throws Exception {
        Proc p = kiln("not-the-password\n", "login", "-u", user, "--password-stdin", registry);
        assertThat(p.exit()).as(p.err()).isEqualTo(1);
        assertThat(p.err()).contains("401").contains("UNAUTHORIZED").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(home.resolve(".docker/config.json")).doesNotExist();
    }

    @Test
    void login_pull_logout_likeDocker() throws Exception {
        String store = home.resolve("store").toString();
        String image = registry + "/library/busybox:latest";

        Proc denied = kiln(null, "pull", "--root", store, image);
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err()).contains("401").doesNotContain("\tat ");

        Proc login = kiln(password + "\n", "login", "-u", user, "--password-stdin", registry);
        assertThat(login.exit()).as(login.err()).isZero();
        JsonNode config = Json.readTree(Files.readAllBytes(home.resolve(".docker/config.json")));
        String auth = config.path("auths").path(registry).path("auth").asText();
        assertThat(new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8)).isEqualTo(user + ":" + password);

        Proc pull = kiln(null, "pull", "--root", store, image);
        assertThat(pull.exit()).as(pull.err()).isZero();
        assertThat(kiln(null, "images", "--root", store).out()).contains(registry + "/library/busybox");

        assertThat(kiln(null, "logout", registry).out()).contains("Removed login credentials for " + registry);
        assertThat(kiln(null, "pull", "--root", store, registry + "/library/busybox:latest").exit()).isEqualTo(1);
    }
}
