package dev.kiln.builder.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.EngineFixture;
import dev.kiln.builder.engine.StepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY/ADD flags and destination rules, checked in the layers they make. */
class CopyRulesTest {
    final EngineFixture f;

    CopyRulesTest(@TempDir Path tmp) throws IOException {
        f = new EngineFixture(tmp, Map.of("src/a/one.txt", "1", "src/a/skip.log", "x", "src/b/two.txt", "2"));
    }

    @Test
    void parents_keepTheSourcePath_belowThePivot() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY --parents src/./a/one.txt src/b/two.txt /out/\n");
        assertThat(f.entries(built.layers().get(2)).keySet()).contains("out/a/one.txt", "out/src/b/two.txt");
        assertThat(built.config().value().history().get(3).createdBy()).startsWith("COPY --parents ");
    }

    @Test
    void exclude_dropsMatchingPaths() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY --exclude=*.log src/a /out/\n");
        assertThat(f.entries(built.layers().get(2)).keySet()).contains("out/one.txt").doesNotContain("out/skip.log");
    }

    @Test
    void heredoc_becomesAFile() throws Exception {
        BuiltImage built = f.build("FROM base\nARG WHO=world\nCOPY <<EOF /etc/greeting\nhello $WHO\nEOF\n");
        assertThat(f.read(built.layers().get(2), "etc/greeting")).isEqualTo("hello world\n");
        TarArchiveEntry e = f.entries(built.layers().get(2)).get("etc/greeting");
        assertThat(e.getMode() & 07777).isEqualTo(0644);
    }

    @Test
    void chownNumericUidAlone_usesItAsGid() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY --chown=1234 src/b/two.txt /two\n");
        TarArchiveEntry e = f.entries(built.layers().get(2)).get("two");
        assertThat(e.getLongUserId()).isEqualTo(1234);
        assertThat(e.getLongGroupId()).isEqualTo(1234);
    }

    @Test
    void chownUnknownUser_errorNamesLine() {
        assertThatThrownBy(() -> f.build("FROM base\nCOPY --chown=ghost src/b/two.txt /two\n"))
                .isInstanceOf(StepException.class).hasMessageStartingWith("Dockerfile:2:")
                .hasMessageContaining("ghost");
    }

    @Test
    void multipleSourcesIntoFileName_areCopiedIntoThatDirectory() throws Exception {
        BuiltImage built = f.build("FROM base\nCOPY src/a/one.txt src/b/two.txt /multi\n");
        assertThat(f.entries(built.layers().get(2)).keySet()).contains("multi/one.txt", "multi/two.txt");
    }

    @Test
    void destinationThroughImageSymlink_followsIt() throws Exception {
        BuiltImage built = f.build("""
                FROM base
                RUN <<EOF
                write /real/.keep x
                link /alias real
                EOF
                COPY src/b/two.txt /alias/
                """);
        assertThat(f.entries(built.layers().get(3)).keySet()).contains("real/two.txt");
    }

    @Test
    void symlinkedSourceOutsideContext_isRefused() throws Exception {
        Files.createSymbolicLink(f.context.resolve("escape"), Path.of("/etc"));
        assertThatThrownBy(() -> f.build("FROM base\nCOPY escape /x\n"))
                .isInstanceOf(StepException.class).hasMessageContaining("outside the build context");
    }

    @Test
    void dockerignoreBypassThroughASymlink_ignoredTargetIsNotCopied() throws Exception {
        f.file(".dockerignore", "secret.txt\nsecrets/\n");
        f.file("secret.txt", "do not leak\n");
        f.file("secrets/key", "do not leak either\n");
        Files.createSymbolicLink(f.context.resolve("link"), Path.of("secret.txt"));
        Files.createSymbolicLink(f.context.resolve("dirlink"), Path.of("secrets"));
        assertThatThrownBy(() -> f.build("FROM base\nCOPY link /x\n"))
                .isInstanceOf(StepException.class).hasMessageContaining("link").hasMessageContaining("not found");
        assertThatThrownBy(() -> f.build("FROM base\nCOPY dirlink /d\n"))
                .isInstanceOf(StepException.class).hasMessageContaining("not found");
    }

    @Test
    void invalidChmod_isAnError() {
        assertThatThrownBy(() -> f.build("FROM base\nCOPY --chmod=999 src/b/two.txt /two\n"))
                .isInstanceOf(dev.kiln.builder.dockerfile.DockerfileException.class).hasMessageStartingWith("Dockerfile:2:").hasMessageContaining("invalid chmod");
    }

    @Test
    void hardlinkedSources_stayHardlinked() throws Exception {
        Files.createLink(f.context.resolve("src/b/link.txt"), f.context.resolve("src/b/two.txt"));
        BuiltImage built = f.build("FROM base\nCOPY src/b /h/\n");
        var entries = f.entries(built.layers().get(2));
        assertThat(entries.get("h/two.txt").isLink() || entries.get("h/link.txt").isLink()).isTrue();
    }
}
