package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The registry flags reach the one {@link RegistryAccess} of each command that talks to registries. */
class RegistryAccessTest {

    private static <T> T parsed(String... args) {
        CommandLine root = Main.commandLine();
        root.parseArgs(args);
        return root.getSubcommands().get(args[0]).getCommand();
    }

    @Test
    void pullAndPushFlags_landInTheSharedRegistryAccess() {
        PullCommand pull = parsed("pull", "--registry-mirror", "docker.io=h:1", "--insecure-registry", "h:2",
                "--jobs", "2", "busybox");
        assertThat(pull.registry.access.mirrors).containsExactly("docker.io=h:1");
        assertThat(pull.registry.access.insecure).containsExactly("h:2");
        assertThat(pull.registry.jobs).isEqualTo(2);
        PushCommand push = parsed("push", "--insecure-registry", "h:3", "app");
        assertThat(push.registry.access.insecure).containsExactly("h:3");
    }

    @Test
    void buildFlags_landInTheSameRegistryAccessType() {
        BuildCommand build = parsed("build", "--registry-mirror", "docker.io=h:1", "--insecure-registry", "h:2",
                "--platform", "linux/arm64", "--jobs", "3", ".");
        assertThat(build.registryAccess.mirrors).containsExactly("docker.io=h:1");
        assertThat(build.registryAccess.insecure).containsExactly("h:2");
    }

    @Test
    void optionsMadeWithoutPicocli_haveNoFlagsButWork() {
        // save and load make their RegistryOptions by hand: no registry flags, no NullPointerException
        assertThat(new RegistryOptions().registries().config().mirrors()).isNotNull();
    }
}
