package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.dockerfile.DockerfileException;
import dev.kiln.builder.engine.run.RunFailedException;
import dev.kiln.builder.engine.run.RunRequest;
import dev.kiln.builder.plan.PlanOptions;
import dev.kiln.builder.snapshot.LayerBlob;
import dev.kiln.oci.History;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.testing.ImageValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine end to end over a real store, with a scripted RUN executor. */
class BuilderTest {
    static final String TUTORIAL = """
            FROM base
            WORKDIR /app
            COPY requirements.txt requirements.txt
            RUN write /usr/lib/site/flask installed
            COPY app.py app.py
            EXPOSE 5000
            CMD ["python", "app.py"]
            """;

    final EngineFixture f;

    BuilderTest(@TempDir Path tmp) throws IOException {
        f = new EngineFixture(tmp, Map.of("requirements.txt", "Flask\n", "app.py", "print('hi')\n"));
    }

    @Test
    void tutorialShape_buildsValidImageWithBuildKitHistory() throws Exception {
        BuiltImage built = f.build(TUTORIAL);
        ImageValidator.validate(built.image(f.store));
        ImageConfig c = built.config().value();
        List<History> ours = c.history().subList(3, c.history().size());
        assertThat(ours).extracting(History::createdBy).containsExactly(
                "WORKDIR /app",
                "COPY requirements.txt requirements.txt # buildkit",
                "RUN /bin/sh -c write /usr/lib/site/flask installed # buildkit",
                "COPY app.py app.py # buildkit",
                "EXPOSE map[5000/tcp:{}]",
                "CMD [\"python\" \"app.py\"]");
        assertThat(ours).extracting(History::emptyLayer).containsExactly(false, false, false, false, true, true);
        assertThat(c.rootfs().diffIds()).hasSize(6);
        assertThat(built.layers()).hasSize(6);
        assertThat(c.config().workingDir()).isEqualTo("/app");
        assertThat(c.config().exposedPorts()).containsExactly("5000/tcp");
        assertThat(c.config().cmd()).containsExactly("python", "app.py");
        assertThat(f.read(built.layers().get(3), "app/requirements.txt")).isEqualTo("Flask\n");
        assertThat(f.read(built.layers().get(4), "usr/lib/site/flask")).isEqualTo("installed");
        RunRequest run = f.runs.get(0);
        assertThat(run.workingDir()).isEqualTo("/app");
        assertThat(run.layers()).hasSize(4);
        assertThat(run.env()).contains("PATH=/bin");
    }

    @Test
    void rebuild_nothingChanged_everyStepCached_noRun_sameImageId() throws Exception {
        BuiltImage first = f.build(TUTORIAL);
        f.events.clear();
        BuiltImage second = f.build(TUTORIAL);
        assertThat(f.runs).hasSize(1);
        assertThat(f.count(BuildEvent.StepCached.class)).isEqualTo(6);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.manifest().digest()).isEqualTo(first.manifest().digest());
    }

    @Test
    void changedSource_missesFromThatCopyOn() throws Exception {
        f.build(TUTORIAL);
        f.file("app.py", "print('changed')\n");
        f.events.clear();
        BuiltImage second = f.build(TUTORIAL);
        assertThat(f.runs).hasSize(1);
        assertThat(f.count(BuildEvent.StepCached.class)).isEqualTo(3);
        assertThat(f.read(second.layers().get(5), "app/app.py")).isEqualTo("print('changed')\n");
    }

    @Test
    void sourceMtime_keyHoldsWholeSecondsAsTheLayerDoes() throws Exception {
        Path app = f.context.resolve("app.py");
        Instant t = Instant.ofEpochSecond(1_700_000_000L, 100_000_000L);
        Files.setLastModifiedTime(app, java.nio.file.attribute.FileTime.from(t));
        BuiltImage first = f.build(TUTORIAL);
        Files.setLastModifiedTime(app, java.nio.file.attribute.FileTime.from(t.plusNanos(800_000_000L)));
        f.events.clear();
        assertThat(f.build(TUTORIAL).id()).as("same second: the layer would be the same").isEqualTo(first.id());
        assertThat(f.count(BuildEvent.StepCached.class)).isEqualTo(6);
        Files.setLastModifiedTime(app, java.nio.file.attribute.FileTime.from(t.plusSeconds(1)));
        f.events.clear();
        f.build(TUTORIAL);
        assertThat(f.count(BuildEvent.StepCached.class)).as("another second: the layer records it").isEqualTo(3);
    }

    @Test
    void cachedLayersOnly_everyLayerCached_buildsTheSameImage() throws Exception {
        BuiltImage first = f.build(TUTORIAL);
        f.options = f.options.withCachedLayersOnly(true);
        BuiltImage second = f.build(TUTORIAL);
        assertThat(f.runs).hasSize(1);
        assertThat(second.id()).isEqualTo(first.id());
    }

    @Test
    void cachedLayersOnly_stopsAtTheFirstLayerStepMissing_beforeItRunsOrWrites() throws Exception {
        f.build(TUTORIAL);
        f.file("app.py", "print('changed')\n");
        f.options = f.options.withCachedLayersOnly(true);
        long blobs;
        try (var files = java.nio.file.Files.walk(f.store.root().resolve("blobs"))) {
            blobs = files.count();
        }
        assertThatThrownBy(() -> f.build(TUTORIAL)).isInstanceOf(CacheOnlyMiss.class)
                .hasMessageContaining("COPY app.py app.py");
        assertThatThrownBy(() -> f.build(TUTORIAL.replace("RUN write", "RUN write /other x\nRUN write")))
                .isInstanceOf(CacheOnlyMiss.class).hasMessageContaining("RUN /bin/sh -c write /other x");
        assertThatThrownBy(() -> f.build(TUTORIAL.replace("WORKDIR /app", "WORKDIR /elsewhere")))
                .isInstanceOf(CacheOnlyMiss.class).hasMessageContaining("WORKDIR /elsewhere");
        assertThat(f.runs).hasSize(1);
        try (var files = java.nio.file.Files.walk(f.store.root().resolve("blobs"))) {
            assertThat(files.count()).as("no new blob").isEqualTo(blobs);
        }
    }

    @Test
    void cacheEntryWhoseLayerBlobIsGone_misses_andTheStepRunsAgain() throws Exception {
        BuiltImage first = f.build(TUTORIAL);
        LayerBlob run = first.layers().get(4);
        Files.delete(f.store.blobPath(run.descriptor().digest()));
        f.events.clear();
        BuiltImage second = f.build(TUTORIAL);
        assertThat(f.runs).as("the RUN whose layer blob was removed ran again").hasSize(2);
        assertThat(f.events).filteredOn(BuildEvent.StepCached.class::isInstance)
                .extracting(e -> ((BuildEvent.StepCached) e).number()).contains(2, 3).doesNotContain(4);
        assertThat(f.store.hasBlob(second.layers().get(4).descriptor().digest())).as("the layer is made again").isTrue();
        assertThat(f.read(second.layers().get(4), "usr/lib/site/flask")).isEqualTo("installed");
    }

    @Test
    void noCache_runsEverything() throws Exception {
        f.build(TUTORIAL);
        f.options = f.options.withNoCache(true);
        f.events.clear();
        f.build(TUTORIAL);
        assertThat(f.runs).hasSize(2);
        assertThat(f.count(BuildEvent.StepCached.class)).isZero();
    }

    @Test
    void sourceDateEpoch_twoUncachedBuilds_sameDigest() throws Exception {
        f.options = f.options.withNoCache(true).withSourceDateEpoch(Instant.ofEpochSecond(1_700_000_000L));
        BuiltImage first = f.build(TUTORIAL);
        Files.setLastModifiedTime(f.context.resolve("app.py"), java.nio.file.attribute.FileTime.from(Instant.now()));
        BuiltImage second = f.build(TUTORIAL);
        assertThat(second.manifest().digest()).isEqualTo(first.manifest().digest());
        assertThat(first.config().value().created()).isEqualTo("2023-11-14T22:13:20Z");
    }

    @Test
    void runFailure_stopsWithExitCodeLastLinesAndLine() {
        assertThatThrownBy(() -> f.build("FROM base\nRUN echo one\\\n && echo two\nRUN echo boom\nRUN exit 3\n"))
                .isInstanceOfSatisfying(RunFailedException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(3);
                    assertThat(e.getMessage()).startsWith("Dockerfile:5:");
                });
        assertThatThrownBy(() -> f.build("FROM base\nRUN <<EOF\necho boom\nexit 7\nEOF\n"))
                .isInstanceOfSatisfying(RunFailedException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(7);
                    assertThat(e.lastLines()).containsExactly("boom");
                });
    }

    @Test
    void runWhoseChangesWereNotKept_failsTheBuild() {
        assertThatThrownBy(() -> f.build("FROM base\nRUN write /kept yes\nRUN lose\n"))
                .isInstanceOf(StepException.class)
                .hasMessageContaining("its changes to the file system were not kept");
    }

    @Test
    void runHeredocWithShebang_runsTheScriptFileAsBuildKitDoes() throws Exception {
        BuiltImage built = f.build("FROM base\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n");
        RunRequest run = f.runs.get(0);
        assertThat(run.argv()).containsExactly("/dev/pipes/EOF");
        assertThat(run.files()).containsKey("/dev/pipes/EOF");
        assertThat(built.config().value().history().get(3).createdBy()).isEqualTo("RUN /dev/pipes/EOF # buildkit");
        f.build("FROM base\nRUN <<EOF\necho plain\nEOF\n");
        assertThat(f.runs.get(1).argv()).containsExactly("/bin/sh", "-c", "echo plain\n");
    }

    @Test
    void copyMissingSource_errorNamesLine() {
        assertThatThrownBy(() -> f.build("FROM base\n\nCOPY nothere /x\n"))
                .isInstanceOf(StepException.class)
                .hasMessageStartingWith("Dockerfile:3:")
                .hasMessageContaining("nothere");
    }

    @Test
    void copyOutsideContext_isAnError() {
        assertThatThrownBy(() -> f.build("FROM base\nCOPY ../secret /x\n"))
                .isInstanceOf(StepException.class)
                .hasMessageContaining("outside the build context");
    }

    @Test
    void dockerignore_excludedFilesNeverLeaveTheContext() throws Exception {
        f.file("src/keep.txt", "k");
        f.file("src/secret.key", "s");
        f.file(".dockerignore", "**/*.key\n");
        BuiltImage built = f.build("FROM base\nCOPY src /dst/\n");
        assertThat(f.entries(built.layers().get(2)).keySet()).contains("dst/keep.txt").doesNotContain("dst/secret.key");
        assertThatThrownBy(() -> f.build("FROM base\nCOPY src/secret.key /x\n")).isInstanceOf(StepException.class);
    }

    @Test
    void copyRules_globsDirContentsTrailingSlashAndRelativeDest() throws Exception {
        f.file("a.txt", "a");
        f.file("b.txt", "b");
        f.file("dir/sub/c.txt", "c");
        Files.createSymbolicLink(f.context.resolve("dir/ln"), Path.of("sub/c.txt"));
        BuiltImage built = f.build("""
                FROM base
                WORKDIR /w
                COPY *.txt out/
                COPY dir /d
                COPY a.txt renamed
                """);
        assertThat(f.entries(built.layers().get(3)).keySet()).contains("w/out/a.txt", "w/out/b.txt");
        var dirLayer = f.entries(built.layers().get(4));
        assertThat(dirLayer.keySet()).contains("d/", "d/sub/c.txt", "d/ln").doesNotContain("d/dir/");
        assertThat(dirLayer.get("d/ln").getLinkName()).isEqualTo("sub/c.txt");
        assertThat(f.entries(built.layers().get(5)).keySet()).contains("w/renamed");
    }

    @Test
    void copyChownByName_andChmod_recordedInHeaders() throws Exception {
        f.file("a.txt", "a");
        BuiltImage built = f.build("FROM base\nCOPY --chown=app:staff --chmod=0750 a.txt /opt/a/\n");
        TarArchiveEntry e = f.entries(built.layers().get(2)).get("opt/a/a.txt");
        assertThat(e.getLongUserId()).isEqualTo(1000);
        assertThat(e.getLongGroupId()).isEqualTo(50);
        assertThat(e.getMode() & 07777).isEqualTo(0750);
        assertThat(built.config().value().history().get(3).createdBy())
                .isEqualTo("COPY --chown=app:staff --chmod=0750 a.txt /opt/a/ # buildkit");
    }

    @Test
    void workdir_existingDirMakesNoLayer_missingDirMakesOne() throws Exception {
        BuiltImage built = f.build("FROM base\nWORKDIR /usr/lib\nWORKDIR new\n");
        List<History> h = built.config().value().history();
        assertThat(h.get(3).emptyLayer()).isTrue();
        assertThat(h.get(4).emptyLayer()).isFalse();
        assertThat(f.entries(built.layers().get(2)).keySet()).containsExactly("usr/", "usr/lib/", "usr/lib/new/");
        assertThat(f.store.root().resolve("layers").resolve(f.base.layers().get(0).diffId().hex() + ".listing"))
                .isRegularFile();
        BuiltImage again = f.build("FROM base\nWORKDIR /usr/lib\nWORKDIR other\n");
        assertThat(again.config().value().history().get(3).emptyLayer()).isTrue();
        assertThat(again.config().value().history().get(4).emptyLayer()).isFalse();
    }

    @Test
    void workdirBeforeRun_readiesTheBaseLayersForTheRunBeforeListingThem() throws Exception {
        f.build("FROM base\nWORKDIR /app\nRUN echo hi\n");

        assertThat(f.prepared).isNotEmpty();
        assertThat(f.prepared.get(0)).isEqualTo(f.base.layers());
    }

    @Test
    void workdirWithoutRunAhead_listsTheLayersWithoutReadyingThem() throws Exception {
        f.build("FROM base\nRUN echo hi\nWORKDIR /app\n");

        assertThat(f.prepared).hasSize(1); // for the RUN's own view, none for the WORKDIR after it
        f.prepared.clear();
        f.build("FROM base\nWORKDIR /other\n");
        assertThat(f.prepared).isEmpty();
    }

    @Test
    void cachedLayersOnly_readiesNoLayers() throws Exception {
        f.options = f.options.withCachedLayersOnly(true);

        assertThatThrownBy(() -> f.build("FROM base\nWORKDIR /app\nRUN echo hi\n"));
        assertThat(f.prepared).isEmpty();
    }

    @Test
    void multiStage_copyFromStage_andTargetBuildsOnlyWhatItNeeds() throws Exception {
        String df = """
                FROM base AS builder
                RUN write /out/bin built
                FROM base AS unused
                RUN write /x y
                FROM scratch
                COPY --from=builder /out/bin /bin/app
                """;
        BuiltImage built = f.build(df);
        assertThat(f.runs).hasSize(1);
        assertThat(built.layers()).hasSize(1);
        assertThat(f.read(built.layers().get(0), "bin/app")).isEqualTo("built");
        f.runs.clear();
        f.build(df, PlanOptions.defaults().withTarget("unused"));
        assertThat(f.runs).hasSize(1);
    }

    @Test
    void add_localTarGz_isExtracted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            TarArchiveEntry e = new TarArchiveEntry("pkg/file.txt");
            byte[] content = "inside".getBytes();
            e.setSize(content.length);
            e.setMode(0100600);
            e.setIds(7, 8);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        Files.write(f.context.resolve("pkg.tar.gz"), bytes.toByteArray());
        BuiltImage built = f.build("FROM base\nADD pkg.tar.gz /opt/\nCOPY pkg.tar.gz /raw/\n");
        TarArchiveEntry e = f.entries(built.layers().get(2)).get("opt/pkg/file.txt");
        assertThat(e).isNotNull();
        assertThat(e.getLongUserId()).isEqualTo(7);
        assertThat(f.entries(built.layers().get(3)).keySet()).contains("raw/pkg.tar.gz");
    }

    @Test
    void add_archiveWithChown_newDestinationAndEntriesOwnedByChown() throws Exception {
        oneFileTar("pkg.tar", "file.txt");
        BuiltImage built = f.build("FROM base\nADD --chown=1000:50 pkg.tar /new/\n");
        Map<String, TarArchiveEntry> layer = f.entries(built.layers().get(2));
        assertThat(layer.get("new/").getLongUserId()).isEqualTo(1000);
        assertThat(layer.get("new/file.txt").getLongGroupId()).isEqualTo(50);
    }

    @Test
    void add_archiveWithSpecialModesAndSymlink_keepsSetuidStickyAndSymlinkTime() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            TarArchiveEntry dir = new TarArchiveEntry("shared/");
            dir.setMode(041777);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry tool = new TarArchiveEntry("tool");
            tool.setSize(1);
            tool.setMode(0104755);
            tar.putArchiveEntry(tool);
            tar.write('x');
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("link", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("tool");
            link.setModTime(1_300_000_000_000L);
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        Files.write(f.context.resolve("pkg.tar.gz"), bytes.toByteArray());
        BuiltImage built = f.build("FROM base\nADD pkg.tar.gz /opt/\n");
        Map<String, TarArchiveEntry> layer = f.entries(built.layers().get(2));
        assertThat(layer.get("opt/shared/").getMode() & 07777).isEqualTo(01777);
        assertThat(layer.get("opt/tool").getMode() & 07777).isEqualTo(04755);
        assertThat(layer.get("opt/link").getModTime().getTime()).isEqualTo(1_300_000_000_000L);
    }

    @Test
    void copy_specialModes_keptFromSourceAndChmod() throws Exception {
        f.file("tree/sticky/a.txt", "a");
        f.file("tree/g.txt", "g");
        Files.setAttribute(f.context.resolve("tree/sticky"), "unix:mode", 01777);
        Files.setAttribute(f.context.resolve("tree/g.txt"), "unix:mode", 02664);
        Files.setAttribute(f.context.resolve("tree"), "unix:mode", 0777);
        BuiltImage built = f.build("FROM base\nCOPY tree /tree\nCOPY --chmod=4755 tree/sticky/a.txt /setuid\n");
        Map<String, TarArchiveEntry> tree = f.entries(built.layers().get(2));
        assertThat(tree.get("tree/sticky/").getMode() & 07777).isEqualTo(01777);
        assertThat(tree.get("tree/g.txt").getMode() & 07777).isEqualTo(02664);
        // the new destination of a directory's contents is BuildKit's MkdirAll: 0755, not the source's 0777
        assertThat(tree.get("tree/").getMode() & 07777).isEqualTo(0755);
        assertThat(f.entries(built.layers().get(3)).get("setuid").getMode() & 07777).isEqualTo(04755);
    }

    @Test
    void copyFromStage_keepsSourceOwners_unlessChown() throws Exception {
        oneFileTar("pkg.tar", "pkg/file.txt");
        BuiltImage built = f.build("""
                FROM base AS owned
                ADD pkg.tar /opt/
                FROM base
                COPY --from=owned /opt/pkg /kept
                COPY --from=owned --chown=1:2 /opt/pkg/file.txt /chowned
                """);
        TarArchiveEntry kept = f.entries(built.layers().get(2)).get("kept/file.txt");
        assertThat(kept.getLongUserId()).isEqualTo(7);
        assertThat(kept.getLongGroupId()).isEqualTo(8);
        assertThat(f.entries(built.layers().get(3)).get("chowned").getLongUserId()).isEqualTo(1);
    }

    @Test
    void copyIntoImageDirectory_thatDirectoryGetsBuildTime_itsParentsKeepTheImages() throws Exception {
        f.file("a.txt", "a");
        BuiltImage built = f.build("FROM base\nCOPY a.txt /usr/lib/\n");
        Map<String, TarArchiveEntry> base = f.entries(f.base.layers().get(0));
        Map<String, TarArchiveEntry> layer = f.entries(built.layers().get(2));
        assertThat(layer.get("usr/").getModTime()).isEqualTo(base.get("usr/").getModTime());
        assertThat(layer.get("usr/lib/").getModTime()).isNotEqualTo(base.get("usr/lib/").getModTime());
    }

    @Test
    void onbuildTriggers_runFirstInChildStage_andAreCleared() throws Exception {
        BuiltImage built = f.build("""
                FROM base AS parent
                ONBUILD RUN write /triggered yes
                FROM parent
                RUN write /after x
                """);
        assertThat(f.runs).hasSize(2);
        assertThat(f.runs.get(0).argv()).last().isEqualTo("write /triggered yes");
        assertThat(built.config().value().config().onBuild()).isEmpty();
    }

    @Test
    void entrypoint_resetsCmdInheritedFromBase() throws Exception {
        BuiltImage built = f.build("FROM base\nENTRYPOINT [\"/bin/sh\"]\n");
        assertThat(built.config().value().config().cmd()).isEmpty();
        BuiltImage kept = f.build("FROM base\nCMD [\"x\"]\nENTRYPOINT [\"/bin/sh\"]\n");
        assertThat(kept.config().value().config().cmd()).containsExactly("x");
    }

    @Test
    void buildArgs_reachRunEnvAndHistory() throws Exception {
        f.build("FROM base\nARG V=def\nRUN echo $V\n", PlanOptions.defaults().withBuildArgs(Map.of("V", "given")));
        assertThat(f.runs.get(0).env()).contains("V=given");
        BuiltImage again = f.build("FROM base\nARG V=def\nRUN echo $V\n");
        assertThat(again.config().value().history()).extracting(History::createdBy)
                .contains("ARG V=def", "RUN |1 V=def /bin/sh -c echo $V # buildkit");
    }

    @Test
    void labelsOption_addedToFinalImage() throws Exception {
        f.options = f.options.withLabels(Map.of("org.example", "yes"));
        assertThat(f.build("FROM base\n").config().value().config().labels()).containsEntry("org.example", "yes");
    }

    @Test
    void unknownBase_errorNamesFromLine() {
        assertThatThrownBy(() -> f.build("\nFROM nosuch\n")).isInstanceOf(StepException.class)
                .hasMessageStartingWith("Dockerfile:2:").hasMessageContaining("nosuch");
    }

    @Test
    void undefinedVariableError_pointsAtLine() {
        assertThatThrownBy(() -> f.build("FROM base\nENV A=${MISSING?must be set}\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("Dockerfile:2");
    }

    /** Writes the context file {@code name}: a tar holding {@code entry} (one byte, 0644, owned 7:8). */
    private void oneFileTar(String name, String entry) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry(entry);
            e.setSize(1);
            e.setMode(0100644);
            e.setIds(7, 8);
            tar.putArchiveEntry(e);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        Files.write(f.context.resolve(name), bytes.toByteArray());
    }
}
