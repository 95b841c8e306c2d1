package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.Json;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ImageValidator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln build} in-process on a scratch-based Dockerfile (no registry, no runtime needed). */
class BuildCommandTest {
    @TempDir Path tmp;
    Path ctx;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void setUp() throws Exception {
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\nCMD [\"/hello\"]\n");
    }

    private Run kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--root");
        all.add(2, tmp.resolve("store").toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test
    void build_tagsImage_writesOciArchive_idAndMetadataFiles() throws Exception {
        Path archive = tmp.resolve("out/image.tar");
        Path iid = tmp.resolve("iid");
        Path meta = tmp.resolve("meta.json");
        Run r = kiln("build", "-t", "hello:1", "-o", "type=oci,dest=" + archive, "--iidfile", iid.toString(),
                "--metadata-file", meta.toString(), ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("STEP 2/3: COPY hello.txt /").contains("Successfully tagged docker.io/library/hello:1");
        String id = r.out().strip().substring(r.out().strip().lastIndexOf('\n') + 1);
        assertThat(Files.readString(iid)).isEqualTo(id);
        assertThat(Json.readTree(Files.readAllBytes(meta)).path("containerimage.config.digest").asText()).isEqualTo(id);
        OciLayout layout = OciArchive.extract(archive, tmp.resolve("layout"));
        assertThat(layout.tags()).containsExactly("1");
        ImageValidator.validate(layout);
        assertThat(kiln("images").out()).containsPattern("(?m)^hello +1 ");
    }

    @Test
    void quiet_printsOnlyTheImageId() {
        Run r = kiln("build", "-q", ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void dockerfileWarning_printedOnceWithItsPosition() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nMAINTAINER me\nCOPY hello.txt /\n");
        Run r = kiln("build", "-q", ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("WARNING: Dockerfile:2:1: warning: MAINTAINER is deprecated")
                .doesNotContain("DockerfileWarning[");
        assertThat(r.err().split("WARNING:", -1)).hasSize(2);
    }

    @Test
    void failedBuild_leavesNoOutputFileAndNoTag() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY missing.txt /\n");
        Path archive = tmp.resolve("never.tar");
        Run r = kiln("build", "-t", "never", "-o", archive.toString(), ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2:").contains("missing.txt");
        assertThat(archive).doesNotExist();
        assertThat(kiln("images").out()).doesNotContain("never");
    }

    @Test
    void dockerfileSyntaxError_exitsOneWithPosition() {
        try {
            Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPPY a b\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Run r = kiln("build", ctx.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile:2");
    }

    @Test
    void localOutput_writesTheRootFilesystem() throws Exception {
        Path dir = tmp.resolve("rootfs");
        Run r = kiln("build", "-o", "type=local,dest=" + dir, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(dir.resolve("hello.txt")).hasContent("hello");
    }

    @Test
    void dockerOutput_writesADockerArchive() throws Exception {
        Path archive = tmp.resolve("docker.tar");
        Run r = kiln("build", "-t", "d:2", "-o", "type=docker,dest=" + archive, ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(archive).exists();
    }
}
