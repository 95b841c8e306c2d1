package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunMountTest {

    private static RunMount mount(String spec) {
        RunInstruction r = (RunInstruction) Dockerfile.parse("Dockerfile", "FROM busybox\nRUN --mount=" + spec + " true\n")
                .instructions().get(1);
        return r.mounts().get(0);
    }

    private static String failure(String spec) {
        try {
            Dockerfile.parse("Dockerfile", "FROM busybox\n\nRUN --mount=" + spec + " true\n");
        } catch (DockerfileException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a DockerfileException for --mount=" + spec);
    }

    @Test
    void bind_isTheDefaultType_readOnlyUnlessRw() {
        RunMount m = mount("target=/src");
        assertThat(m.type()).isEqualTo(RunMount.Type.BIND);
        assertThat(m.readOnly()).isTrue();
        assertThat(mount("target=/src,rw").readOnly()).isFalse();
        assertThat(mount("target=/src,readwrite=true").readOnly()).isFalse();
    }

    @Test
    void cache_idDefaultsToTarget_writableByDefault_sharingShared() {
        RunMount m = mount("type=cache,target=/root/.cache");
        assertThat(m.id()).isEqualTo("/root/.cache");
        assertThat(m.readOnly()).isFalse();
        assertThat(m.sharing()).isEqualTo(RunMount.Sharing.SHARED);
        assertThat(mount("type=cache,target=/c,sharing=private,mode=0700,uid=1000,gid=50"))
                .extracting(RunMount::sharing, RunMount::mode, RunMount::uid, RunMount::gid)
                .containsExactly(RunMount.Sharing.PRIVATE, 0700, 1000, 50);
    }

    @Test
    void secret_targetDefaultsToRunSecretsId_mode0400() {
        RunMount m = mount("type=secret,id=token");
        assertThat(m.target()).isEqualTo("/run/secrets/token");
        assertThat(m.mode()).isEqualTo(0400);
        assertThat(m.required()).isFalse();
    }

    @Test
    void secret_withEnvOnly_hasNoFile_andIdMayComeFromSourceOrTarget() {
        assertThat(mount("type=secret,id=tok,env=TOKEN").target()).isNull();
        assertThat(mount("type=secret,id=tok,env=TOKEN,target=/t").target()).isEqualTo("/t");
        assertThat(mount("type=secret,source=tok").id()).isEqualTo("tok");
        assertThat(mount("type=secret,target=/etc/creds").id()).isEqualTo("creds");
        assertThat(mount("type=secret,id=tok,required").required()).isTrue();
    }

    @Test
    void ssh_defaultsToDefaultIdAndBuildKitSocketPath() {
        RunMount m = mount("type=ssh");
        assertThat(m.id()).isEqualTo("default");
        assertThat(m.target()).isEqualTo("/run/buildkit/ssh_agent.0");
    }

    @Test
    void tmpfs_sizeInUnits() {
        assertThat(RunMount.bytes(mount("type=tmpfs,target=/t,size=64m").size(), null)).isEqualTo(64L << 20);
        assertThat(RunMount.bytes("1g", null)).isEqualTo(1L << 30);
        assertThat(RunMount.bytes("4096", null)).isEqualTo(4096);
        assertThat(RunMount.bytes("2KiB", null)).isEqualTo(2048);
    }

    @Test
    void invalidCombinations_areErrorsAtTheRunLine() {
        assertThat(failure("type=bind,target=/x,sharing=locked")).startsWith("Dockerfile:3:")
                .contains("`sharing` is not allowed for type=bind");
        assertThat(failure("type=cache,target=/x,size=1m")).contains("`size` is not allowed for type=cache");
        assertThat(failure("type=bind,target=/x,required")).contains("`required` is not allowed for type=bind");
        assertThat(failure("type=tmpfs,target=/x,mode=0700")).contains("`mode` is not allowed for type=tmpfs");
        assertThat(failure("type=bind,target=/x,uid=1")).contains("`uid` is not allowed for type=bind");
        assertThat(failure("type=secret,id=a,from=build")).contains("`from` is not allowed for type=secret");
        assertThat(failure("type=tmpfs,target=/x,from=build")).contains("`from` is not allowed for type=tmpfs");
        assertThat(failure("type=cache,target=/x,env=A")).contains("`env` is not allowed for type=cache");
        assertThat(failure("type=secret,id=a,source=b")).contains("`id` or `source`, not both");
        assertThat(failure("type=secret")).contains("needs an id or a target");
        assertThat(failure("type=tmpfs,target=/t,size=lots")).startsWith("Dockerfile:3:").contains("invalid size `lots`");
        assertThat(failure("type=cache,target=/x,mode=9")).contains("`mode` takes a number, not `9`");
        assertThat(failure("type=cache,target=/x,sharing=sometimes")).contains("unknown mount sharing `sometimes`");
        assertThat(failure("type=bind,target=/x,ro=maybe")).contains("takes true or false");
    }
}
