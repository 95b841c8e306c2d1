package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstructionParserTest {

    private static Instruction second(String line) {
        return Dockerfile.parse("Dockerfile", "FROM busybox\n" + line + "\n").instructions().get(1);
    }

    private static DockerfileException failure(String text) {
        try {
            Dockerfile.parse("Dockerfile", text);
        } catch (DockerfileException e) {
            return e;
        }
        throw new AssertionError("expected a DockerfileException for:\n" + text);
    }

    @Test
    void parse_misspelledInstruction_suggestsNearestKeyword() {
        DockerfileException e = failure("FROM a\n  COPPY . /app\n");
        assertThat(e).hasMessage("Dockerfile:2:3: unknown instruction `COPPY` — did you mean `COPY`?");
        assertThat(e.range().orElseThrow().startLine()).isEqualTo(2);
    }

    @Test
    void parse_nonsenseInstruction_listsKeywordsInHint() {
        DockerfileException e = failure("FROM a\nFROBNICATE x\n");
        assertThat(e.getMessage()).isEqualTo("Dockerfile:2:1: unknown instruction `FROBNICATE`");
        assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("COPY", "RUN"));
    }

    @Test
    void parse_unknownFlag_namesFlagAndInstructionAndSuggests() {
        DockerfileException e = failure("FROM a\nCOPY --chwon=1:1 a /b\n");
        assertThat(e.getMessage()).isEqualTo("Dockerfile:2:6: unknown flag --chwon for COPY");
        assertThat(e.hint()).contains("did you mean --chown?");
    }

    @Test
    void parse_flagOnInstructionWithoutFlags_isRejected() {
        assertThat(failure("FROM a\nUSER --x=1 me\n").getMessage()).contains("unknown flag --x for USER");
        assertThat(failure("FROM a\nCOPY --from a /b\n").getMessage()).contains("flag --from of COPY needs a value");
        assertThat(failure("FROM a\nCOPY --link=maybe a /b\n").getMessage()).contains("takes true or false");
        assertThat(failure("FROM a\nCOPY --from=x --from=y a /b\n").getMessage()).contains("duplicate flag --from");
    }

    @Test
    void parse_copyFlags_areTyped() {
        CopyInstruction c = (CopyInstruction) second(
                "COPY --from=build --chown=1:2 --chmod=755 --link --parents --exclude=*.md --exclude=x a b /dst/");
        assertThat(c.from()).isEqualTo("build");
        assertThat(c.chown()).isEqualTo("1:2");
        assertThat(c.chmod()).isEqualTo("755");
        assertThat(c.link()).isTrue();
        assertThat(c.parents()).isTrue();
        assertThat(c.excludes()).containsExactly("*.md", "x");
        assertThat(c.files().sources()).containsExactly("a", "b");
        assertThat(c.files().dest()).isEqualTo("/dst/");
    }

    @Test
    void parse_addFlags_areTyped() {
        AddInstruction a = (AddInstruction) second("ADD --checksum=sha256:abc --keep-git-dir=true --link=false "
                + "--unpack=false https://x/y.tar.gz /opt/");
        assertThat(a.checksum()).isEqualTo("sha256:abc");
        assertThat(a.keepGitDir()).isTrue();
        assertThat(a.link()).isFalse();
        assertThat(a.unpack()).isFalse();
        assertThat(((AddInstruction) second("ADD [\"a b\", \"/c\"]")).files().sources()).containsExactly("a b");
    }

    @Test
    void parse_runMountsNetworkSecurity_areTyped() {
        RunInstruction r = (RunInstruction) second("RUN --mount=type=cache,target=/root/.cache,sharing=locked "
                + "--mount=type=secret,id=tok --mount=from=build,source=/out,target=/in,rw "
                + "--mount=type=tmpfs,dst=/tmp,size=64m --network=none --security=insecure make");
        assertThat(r.mounts()).hasSize(4);
        RunMount cache = r.mounts().get(0);
        assertThat(cache.type()).isEqualTo(RunMount.Type.CACHE);
        assertThat(cache.id()).isEqualTo("/root/.cache");
        assertThat(cache.sharing()).isEqualTo(RunMount.Sharing.LOCKED);
        assertThat(cache.readOnly()).isFalse();
        assertThat(r.mounts().get(1).target()).isEqualTo("/run/secrets/tok");
        RunMount bind = r.mounts().get(2);
        assertThat(bind.type()).isEqualTo(RunMount.Type.BIND);
        assertThat(bind.from()).isEqualTo("build");
        assertThat(bind.readOnly()).isFalse();
        assertThat(r.mounts().get(3).size()).isEqualTo("64m");
        assertThat(r.network()).isEqualTo(RunInstruction.Network.NONE);
        assertThat(r.security()).isEqualTo(RunInstruction.Security.INSECURE);
        assertThat(r.command()).isEqualTo(Command.shell("make"));
    }

    @Test
    void parse_badRunOptions_areRejectedWithWhatIsWrong() {
        assertThat(failure("FROM a\nRUN --mount=type=cache x\n").getMessage()).contains("needs a target");
        assertThat(failure("FROM a\nRUN --mount=type=nfs,target=/x x\n").getMessage()).contains("unknown mount type `nfs`");
        assertThat(failure("FROM a\nRUN --mount=targt=/x x\n").getMessage()).contains("unknown key `targt`");
        assertThat(failure("FROM a\nRUN --network=bridge x\n").getMessage())
                .contains("invalid value `bridge` for RUN --network");
    }

    @Test
    void parse_exposeForms_parseIntoPortAndProtocol() {
        ExposeInstruction e = (ExposeInstruction) second("EXPOSE 80 443/tcp 53/UDP 8000-8002/udp");
        assertThat(e.portSpecs()).containsExactly(new ExposeInstruction.PortSpec(80, 80, "tcp"),
                new ExposeInstruction.PortSpec(443, 443, "tcp"), new ExposeInstruction.PortSpec(53, 53, "udp"),
                new ExposeInstruction.PortSpec(8000, 8002, "udp"));
        assertThat(e.portSpecs().get(3).keys()).containsExactly("8000/udp", "8001/udp", "8002/udp");
        assertThat(failure("FROM a\nEXPOSE 80/xyz\n").getMessage()).contains("invalid protocol `xyz`");
        assertThat(failure("FROM a\nEXPOSE 70000\n").getMessage()).contains("invalid port `70000`");
        ExposeInstruction later = (ExposeInstruction) second("EXPOSE $PORT");
        assertThat(later.expand(ShellLex.of('\\').expander(Map.of("PORT", "8080/udp"))).portSpecs())
                .containsExactly(new ExposeInstruction.PortSpec(8080, 8080, "udp"));
    }

    @Test
    void parse_healthcheck_typesFlagsAndForms() {
        HealthcheckInstruction h = (HealthcheckInstruction) second(
                "HEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms --start-interval=2s --retries=4 "
                        + "CMD [\"curl\", \"-f\", \"http://localhost\"]");
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(h.startPeriod()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.startInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.retries()).isEqualTo(4);
        assertThat(h.test()).isEqualTo(Command.exec(List.of("curl", "-f", "http://localhost")));
        assertThat(((HealthcheckInstruction) second("HEALTHCHECK NONE")).disabled()).isTrue();
        assertThat(((HealthcheckInstruction) second("HEALTHCHECK CMD curl x")).test()).isEqualTo(Command.shell("curl x"));
        assertThat(failure("FROM a\nHEALTHCHECK CONNECT TCP 7000\n").getMessage()).contains("unknown HEALTHCHECK type");
        assertThat(failure("FROM a\nHEALTHCHECK --interval=5 CMD x\n").getMessage()).contains("--interval");
        assertThat(failure("FROM a\nHEALTHCHECK --timeout=1us CMD x\n").getMessage()).contains("less than 1ms");
        assertThat(failure("FROM a\nHEALTHCHECK --retries=-1 CMD x\n").getMessage()).contains("cannot be negative");
        assertThat(failure("FROM a\nHEALTHCHECK CMD\n").getMessage()).contains("missing command");
    }

    @Test
    void parse_onbuild_wrapsTypedTriggerAndRejectsChains() {
        OnbuildInstruction o = (OnbuildInstruction) second("ONBUILD COPY --chown=1 . /app");
        assertThat(o.trigger()).isEqualTo("COPY --chown=1 . /app");
        assertThat(o.inner()).isInstanceOf(CopyInstruction.class);
        assertThat(((CopyInstruction) o.inner()).chown()).isEqualTo("1");
        assertThat(failure("FROM a\nONBUILD ONBUILD RUN x\n").getMessage()).contains("ONBUILD ONBUILD");
        assertThat(failure("FROM a\nONBUILD FROM x\n").getMessage()).contains("FROM isn't allowed as an ONBUILD trigger");
        assertThat(failure("FROM a\nONBUILD COPPY x y\n").getMessage()).contains("did you mean `COPY`?");
    }

    @Test
    void parse_fromForms_nameLowercasedPlatformKept() {
        FromInstruction f = (FromInstruction) Dockerfile.parse("Dockerfile",
                "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n").instructions().get(0);
        assertThat(f.stageName()).isEqualTo("build");
        assertThat(f.platform()).isEqualTo("$BUILDPLATFORM");
        assertThat(failure("FROM a b\n").getMessage()).contains("FROM requires either one or three arguments");
        assertThat(failure("FROM a AS 1st\n").getMessage()).contains("invalid stage name `1st`");
    }

    @Test
    void parse_envLabelArgShellForms_areTyped() {
        EnvInstruction env = (EnvInstruction) second("ENV A=1 B=\"two words\"");
        assertThat(env.vars()).containsExactly(new KeyValue("A", "1", false), new KeyValue("B", "\"two words\"", false));
        assertThat(env.expand(ShellLex.of('\\').expander(Map.of())).vars().get(1).value()).isEqualTo("two words");
        assertThat(((EnvInstruction) second("ENV PATH /a /b")).vars()).containsExactly(new KeyValue("PATH", "/a /b", true));
        ArgInstruction arg = (ArgInstruction) second("ARG A B=2");
        assertThat(arg.args()).containsExactly(new ArgInstruction.Declaration("A", null),
                new ArgInstruction.Declaration("B", "2"));
        assertThat(((ShellInstruction) second("SHELL [\"bash\", \"-c\"]")).shell()).containsExactly("bash", "-c");
        assertThat(failure("FROM a\nSHELL bash -c\n").getMessage()).contains("SHELL requires the arguments in JSON form");
        assertThat(failure("FROM a\nCOPY onlyone\n").getMessage()).contains("COPY requires at least two arguments");
        assertThat(failure("FROM a\nWORKDIR\n").getMessage()).contains("WORKDIR requires exactly one argument");
    }

    @Test
    void parse_everyInstructionKeepsItsSourceRange() {
        Dockerfile df = Dockerfile.parse("Dockerfile", "FROM a\n\nRUN a \\\n  b\n# c\n  CMD [\"x\"]\n");
        assertThat(df.instructions()).extracting(i -> i.range().startLine() + "-" + i.range().endLine() + ":"
                + i.range().column()).containsExactly("1-1:1", "3-4:1", "6-6:3");
        assertThat(df.instructions().get(1).keyword()).isEqualTo("RUN");
    }

    @Test
    void parse_escapeDirectiveAndSyntax_areRecorded() {
        Dockerfile df = Dockerfile.parse("Dockerfile", "# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN a `\n b\n");
        assertThat(df.directives().escape()).isEqualTo('`');
        assertThat(df.directives().syntax()).isEqualTo("docker/dockerfile:1");
        assertThat(df.warnings()).anySatisfy(w -> assertThat(w.message()).contains("syntax directive"));
        assertThat(((RunInstruction) df.instructions().get(1)).command()).isEqualTo(Command.shell("a  b"));
        assertThat(failure("# escape=x\nFROM a\n").getMessage()).contains("invalid escape token");
    }

    @Test
    void expandAt_expansionError_carriesInstructionLocation() {
        Instruction workdir = Dockerfile.parse("Dockerfile", "FROM a\n\n  WORKDIR ${DIR:?set DIR}\n")
                .instructions().get(1);
        WordExpander x = ShellLex.of('\\').expander(Map.of());
        assertThatThrownBy(() -> workdir.expandAt(x))
                .isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:3:3: DIR: set DIR");
        assertThat(((WorkdirInstruction) workdir.expandAt(ShellLex.of('\\').expander(Map.of("DIR", "/w")))).path())
                .isEqualTo("/w");
    }
}
