package dev.kiln.builder.engine.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.engine.EngineFixture;
import dev.kiln.runtime.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMountsTest {
    final Path tmp;
    final EngineFixture f;

    RunMountsTest(@TempDir Path tmp) throws IOException {
        this.tmp = tmp;
        f = new EngineFixture(tmp, Map.of("src/main.c", "int main() {}\n", "README", "read me\n"));
    }

    private List<String> output() {
        synchronized (f.events) {
            return f.events.stream().filter(BuildEvent.Output.class::isInstance)
                    .map(e -> ((BuildEvent.Output) e).line()).toList();
        }
    }

    private void secrets(Map<String, BuildSecrets.Source> secrets, Map<String, String> env) {
        f.options = f.options.withSecrets(new BuildSecrets(secrets, Map.of(), env::get));
    }

    @Test
    void bindFromContext_keyFollowsTheMountedContentOnly() throws Exception {
        String df = "FROM base\nRUN --mount=source=src,target=/src cat /src/main.c\n";
        f.build(df);
        assertThat(output()).containsExactly("int main() {}\n");
        Mount.Bind bind = (Mount.Bind) f.runs.get(0).mounts().get(0);
        assertThat(bind.readOnly()).isTrue();
        f.file("README", "changed\n");
        f.build(df);
        assertThat(f.runs).as("a file outside the mounted source does not matter").hasSize(1);
        f.file("src/main.c", "int main() { return 1; }\n");
        f.build(df);
        assertThat(f.runs).as("a mounted file changed").hasSize(2);
    }

    @Test
    void bindFromContext_rwWritesGoToACopy_andIgnoredFilesAreNotMounted() throws Exception {
        f.file(".dockerignore", "src/private.key\n");
        f.file("src/private.key", "do not leak\n");
        BuiltImage built = f.build("FROM base\nRUN --mount=source=src,target=/src,rw <<EOF\n"
                + "append /src/main.c more\ncat /src/private.key\nEOF\n");
        assertThat(Files.readString(f.context.resolve("src/main.c"))).isEqualTo("int main() {}\n");
        assertThat(output()).containsExactly("(missing /src/private.key)");
        assertThat(f.entries(built.layers().get(2))).doesNotContainKey("src/").doesNotContainKey("src");
    }

    @Test
    void dockerignoreBypassThroughASymlink_bindOfALinkToAnIgnoredFile_isRefused() throws Exception {
        f.file(".dockerignore", "private.key\n");
        f.file("private.key", "do not leak\n");
        Files.createSymbolicLink(f.context.resolve("key-link"), java.nio.file.Path.of("private.key"));
        assertThatThrownBy(() -> f.build("FROM base\nRUN --mount=source=key-link,target=/k cat /k\n"))
                .hasMessageContaining("key-link: not found in the build context");
        assertThat(f.runs).isEmpty();
    }

    @Test
    void bindFromContext_readOnlyWithNothingIgnoredBelow_bindsTheContextItself() throws Exception {
        f.file(".dockerignore", "README\n");
        f.build("FROM base\nRUN --mount=source=src,target=/src --mount=target=/all true\n");
        List<Mount> mounts = f.runs.get(0).mounts();
        assertThat(((Mount.Bind) mounts.get(0)).source()).isEqualTo(f.context.resolve("src"));
        assertThat(((Mount.Bind) mounts.get(1)).source()).as("the root has an ignored file: a copy")
                .isNotEqualTo(f.context);
    }

    @Test
    void bindFromStage_mountsThatStagesFiles_keyedByItsKey() throws Exception {
        String df = "FROM base AS build\nRUN write /out/app built\nFROM base\n"
                + "RUN --mount=from=build,source=/out,target=/in cat /in/app\n";
        BuiltImage built = f.build(df);
        assertThat(output()).containsExactly("built");
        assertThat(f.entries(built.layers().get(2))).doesNotContainKeys("in/", "in");
        f.build(df);
        assertThat(f.runs).hasSize(2);
    }

    @Test
    void bindFromImage_andCacheSeededFromAStage() throws Exception {
        f.build("FROM scratch\nRUN --mount=from=base,source=/etc,target=/e cat /e/group\n");
        assertThat(output()).singleElement().asString().startsWith("root:x:0:");
        f.events.clear();
        String df = "FROM base AS seed\nRUN write /seed/n 41\nFROM base\n"
                + "RUN --mount=type=cache,target=/c,from=seed,source=/seed cat /c/n\n";
        f.build(df);
        assertThat(output()).containsExactly("41");
    }

    @Test
    void bindSourceOutsideContextOrMissing_isAnErrorAtTheLine() {
        assertThatThrownBy(() -> f.build("FROM base\n\nRUN --mount=source=nope,target=/x true\n"))
                .hasMessageStartingWith("Dockerfile:3:").hasMessageContaining("nope: not found in the build context");
        assertThatThrownBy(() -> f.build("FROM base\nRUN --mount=source=../../nope,target=/x true\n"))
                .as("a source is cleaned against the context root, as BuildKit does").hasMessageStartingWith("Dockerfile:2:");
    }

    @Test
    void cacheMount_persistsAcrossBuilds_evenWithNoCache_andNeverEntersTheLayer() throws Exception {
        String df = "FROM base\nRUN --mount=type=cache,target=/var/cache/app <<EOF\n"
                + "append /var/cache/app/count x\ncat /var/cache/app/count\nEOF\n";
        BuiltImage first = f.build(df);
        f.options = f.options.withNoCache(true);
        f.build(df);
        assertThat(output()).containsExactly("x\n", "x\nx\n");
        assertThat(f.entries(first.layers().get(2)).keySet()).noneMatch(n -> n.startsWith("var"));
        try (var dirs = Files.list(f.store.root().resolve("cache-mounts"))) {
            assertThat(dirs.filter(Files::isDirectory)).hasSize(1);
        }
    }

    /** Issue 11, finding 6: a cache's {@code source=} is checked before anything is created. */
    @Test
    void cacheMountSource_throughASymlinkTheCacheHolds_createsNothingOutside() throws Exception {
        f.build("FROM base\nRUN --mount=type=cache,id=c,target=/c append /c/f x\n");
        Path cache;
        try (var dirs = Files.list(f.store.root().resolve("cache-mounts"))) {
            cache = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        Files.createSymbolicLink(cache.resolve("evil"), victim); // what a RUN writing to /c can leave there

        assertThatThrownBy(() -> f.build("FROM base\nRUN --mount=type=cache,id=c,target=/d,source=evil/new true\n"))
                .hasMessageContaining("leads outside");
        assertThat(victim.resolve("new")).doesNotExist();
    }

    @Test
    void cacheMount_idSharesBetweenTargets_andTheSpecIsPartOfTheKey() throws Exception {
        f.build("FROM base\nRUN --mount=type=cache,id=shared,target=/a append /a/f one\n");
        f.build("FROM base\nRUN --mount=type=cache,id=shared,target=/b cat /b/f\n");
        assertThat(output()).containsExactly("one\n");
        f.build("FROM base\nRUN --mount=type=cache,id=shared,target=/b,sharing=locked cat /b/f\n");
        assertThat(f.runs).as("sharing changed the key").hasSize(3);
    }

    @Test
    void cacheMount_privateSharing_givesABusyCacheAnotherInstance() throws Exception {
        CacheMounts mounts = new CacheMounts(tmp.resolve("cm"));
        try (HeldDir a = mounts.acquire("x", dev.kiln.builder.dockerfile.RunMount.Sharing.PRIVATE, d -> { });
                HeldDir b = mounts.acquire("x", dev.kiln.builder.dockerfile.RunMount.Sharing.PRIVATE, d -> { })) {
            assertThat(a.dir()).isNotEqualTo(b.dir());
        }
        try (HeldDir c = mounts.acquire("x", dev.kiln.builder.dockerfile.RunMount.Sharing.PRIVATE, d -> { });
                HeldDir d = mounts.acquire("x", dev.kiln.builder.dockerfile.RunMount.Sharing.SHARED, x -> { })) {
            assertThat(c.dir()).as("released instances are reused").isEqualTo(d.dir());
        }
    }

    @Test
    void cacheMount_lockedSharing_holdsTheLockWhileInUse() throws Exception {
        CacheMounts mounts = new CacheMounts(tmp.resolve("cm"));
        Path lockFile;
        try (HeldDir a = mounts.acquire("y", dev.kiln.builder.dockerfile.RunMount.Sharing.LOCKED, d -> { })) {
            lockFile = a.dir().resolveSibling(a.dir().getFileName() + ".lock");
            assertThat(dev.kiln.builder.store.StoreLock.tryExclusive(lockFile)).isNull();
        }
        try (var again = dev.kiln.builder.store.StoreLock.tryExclusive(lockFile)) {
            assertThat(again).as("released with the lease").isNotNull();
        }
    }

    @Test
    void secretFile_readableInRun_absentFromLayerConfigAndKey() throws Exception {
        Path secret = tmp.resolve("token.txt");
        Files.writeString(secret, "s3cr3t-value");
        secrets(Map.of("tok", new BuildSecrets.Source("tok", secret, null)), Map.of());
        String df = "FROM base\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n";
        BuiltImage built = f.build(df);
        assertThat(output()).containsExactly("s3cr3t-value");
        Mount.Bind m = (Mount.Bind) f.runs.get(0).mounts().get(0);
        assertThat(m.readOnly()).isTrue();
        assertThat(f.entries(built.layers().get(2)).keySet()).noneMatch(n -> n.startsWith("run"));
        assertThat(new String(built.config().bytes(), StandardCharsets.UTF_8)).doesNotContain("s3cr3t");
        assertThat(Files.exists(m.source())).as("the secret file is gone after the RUN").isFalse();
        Files.writeString(secret, "rotated");
        f.build(df);
        assertThat(f.runs).as("a secret's content is not part of the key").hasSize(1);
        f.build("FROM base\nRUN --mount=type=secret,id=other cat /run/secrets/tok\n");
        assertThat(f.runs).as("its id is").hasSize(2);
    }

    @Test
    void secretEnv_reachesTheRunOnly() throws Exception {
        secrets(Map.of("tok", new BuildSecrets.Source("tok", null, "KILN_TEST_TOKEN")),
                Map.of("KILN_TEST_TOKEN", "env-secret"));
        BuiltImage built = f.build("FROM base\nRUN --mount=type=secret,id=tok,env=TOKEN echo hi\n");
        assertThat(f.runs.get(0).env()).contains("TOKEN=env-secret");
        assertThat(f.runs.get(0).mounts()).isEmpty();
        assertThat(new String(built.config().bytes(), StandardCharsets.UTF_8)).doesNotContain("env-secret");
    }

    @Test
    void missingSecret_requiredFailsAtTheLine_optionalIsSkipped() throws Exception {
        assertThatThrownBy(() -> f.build("FROM base\n\nRUN --mount=type=secret,id=tok,required true\n"))
                .hasMessageStartingWith("Dockerfile:3:").hasMessageContaining("secret tok not found");
        f.build("FROM base\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n");
        assertThat(f.runs.get(0).mounts()).isEmpty();
    }

    @Test
    void tmpfs_withSize_andNoMountPointLeftInTheLayer() throws Exception {
        BuiltImage built = f.build("FROM base\nRUN --mount=type=tmpfs,target=/scratch/t,size=64m write /kept x\n");
        assertThat(f.runs.get(0).mounts()).containsExactly(new Mount.Tmpfs("/scratch/t", "size=67108864"));
        assertThat(f.entries(built.layers().get(2)).keySet()).containsExactly("kept");
    }

    @Test
    void mountStubs_parentsTheImageHasAreNotCopiedUp_andWhatTheRunWroteStays() throws Exception {
        BuiltImage built = f.build("FROM base\nRUN --mount=type=tmpfs,target=/usr/lib/cache/x"
                + " --mount=type=tmpfs,target=/run/a write /run/b kept\n");
        assertThat(f.entries(built.layers().get(2)).keySet()).containsExactlyInAnyOrder("run/", "run/b");
    }

    @Test
    void relativeTarget_isUnderWorkdir() throws Exception {
        f.build("FROM base\nWORKDIR /w\nRUN --mount=type=tmpfs,target=t true\n");
        assertThat(f.runs.get(0).mounts()).extracting(Mount::target).containsExactly("/w/t");
    }
}
