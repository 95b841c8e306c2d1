package dev.kiln.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IgnoreTest {

    @TempDir Path ctx;

    private void touch(String rel) throws IOException {
        Path p = ctx.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, rel);
    }

    private List<String> walk(String ignore) {
        return new ContextWalker(IgnoreMatcher.parse(".dockerignore", ignore)).walk(ctx).stream()
                .map(e -> e.path() + (e.directory() ? "/" : ""))
                .toList();
    }

    @Test
    void walk_excludedDirectoryWithReinclusion_listsOnlyReincludedFileAndItsParent() throws IOException {
        touch("docs/README.md");
        touch("docs/other.md");
        touch("docs/sub/deep.md");
        touch("main.go");
        assertThat(walk("docs\n!docs/README.md")).containsExactly("docs/", "docs/README.md", "main.go");
    }

    @Test
    void walk_excludedDirectoryWithoutReinclusion_isNotEntered() throws IOException {
        touch("node_modules/a/b.js");
        touch("src/app.js");
        IgnoreMatcher m = IgnoreMatcher.parse(".dockerignore", "node_modules\n!src");
        assertThat(m.mayReincludeBelow("node_modules")).isFalse();
        assertThat(walk("node_modules\n!src")).containsExactly("src/", "src/app.js");
    }

    @Test
    void walk_commentsBlankLinesAndBom_areIgnored() throws IOException {
        touch("a.txt");
        touch("b.log");
        assertThat(walk("\uFEFF# logs\n\n  *.log  \n")).containsExactly("a.txt");
    }

    @Test
    void locate_dockerfileSpecificIgnoreFile_winsOverContextOne() throws IOException {
        Files.writeString(ctx.resolve(".dockerignore"), "a\n");
        Path df = ctx.resolve("build/app.Dockerfile");
        Files.createDirectories(df.getParent());
        Files.writeString(df, "FROM scratch\n");
        Files.writeString(ctx.resolve("build/app.Dockerfile.dockerignore"), "b\n");
        assertThat(IgnoreFiles.locate(ctx, df)).contains(ctx.resolve("build/app.Dockerfile.dockerignore"));
        IgnoreMatcher m = IgnoreFiles.load(ctx, df);
        assertThat(m.excluded("b")).isTrue();
        assertThat(m.excluded("a")).isFalse();
        assertThat(IgnoreFiles.load(ctx, ctx.resolve("Dockerfile")).excluded("a")).isTrue();
    }
}
