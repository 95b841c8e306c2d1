package dev.kiln.builder.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.engine.BuildEvent;
import dev.kiln.builder.output.BuildOutput;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.snapshot.ProcessIds;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Sandbox;
import dev.kiln.runtime.SandboxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build API in-process, as a Maven plugin drives it: several sessions in one JVM, no CLI. */
class BuildSessionTest {
    @TempDir Path tmp;
    Path ctx;

    @BeforeEach
    void context() throws Exception {
        ctx = TestImages.directory(tmp.resolve("ctx"), Map.of("Dockerfile", "FROM scratch\nCOPY . /app/\n",
                ".dockerignore", "secret.txt\n", "secret.txt", "s3cret\n", "hello.txt", "hello\n"));
    }

    private BuildResult build(BuildSession session, String name, List<BuildEvent> events, BuildOutput... outputs)
            throws Exception {
        try (BuildInput input = BuildInput.directory(ctx, null)) {
            BuildRequest request = BuildRequest.of(input);
            PlannedBuild build = session.plan(request.withNames(List.of(Reference.parse(name)))
                    .withOptions(request.options().withSourceDateEpoch(Instant.ofEpochSecond(1_700_000_000)))
                    .withOutputs(List.of(outputs)));
            return session.build(build, events::add, ProgressListener.NONE);
        }
    }

    @Test
    void twoSessionsInOneJvm_buildTheSameImageIntoTheirStoresAndOutputs() throws Exception {
        Path archive = tmp.resolve("out/app.tar");
        List<BuildEvent> events = new ArrayList<>();
        try (BuildSession a = BuildSession.open(SessionOptions.of(tmp.resolve("store-a")));
                BuildSession b = BuildSession.open(SessionOptions.of(tmp.resolve("store-b")))) {
            BuildResult first = build(a, "app:1", events, new BuildOutput("oci", archive));
            BuildResult second = build(b, "app:1", new ArrayList<>(), new BuildOutput("local", tmp.resolve("rootfs")));
            assertThat(second.image().id()).isEqualTo(first.image().id());
            assertThat(a.store().image("docker.io/library/app:1")).isPresent();
            assertThat(b.store().image("docker.io/library/app:1")).isPresent();
        }
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(BuildEvent.StepStarted.class));
        OciLayout layout = OciArchive.extract(archive, tmp.resolve("layout"));
        assertThat(layout.tags()).containsExactly("1");
        ImageValidator.validate(layout);
        assertThat(tmp.resolve("rootfs/app/hello.txt")).hasContent("hello");
        assertThat(tmp.resolve("rootfs/app/secret.txt")).as("the session loads .dockerignore").doesNotExist();
    }

    @Test
    void buildFromCache_afterABuild_succeedsFromTheCache_andStaysSilentOnAMiss() throws Exception {
        try (BuildSession session = BuildSession.open(SessionOptions.of(tmp.resolve("store")))) {
            List<BuildEvent> events = new ArrayList<>();
            Optional<BuildResult> none;
            try (BuildInput input = BuildInput.directory(ctx, null)) {
                none = session.buildFromCache(session.plan(BuildRequest.of(input)), events::add);
            }
            assertThat(none).as("no build cache yet").isEmpty();
            BuildResult built = build(session, "app:1", new ArrayList<>());

            try (BuildInput input = BuildInput.directory(ctx, null)) {
                Optional<BuildResult> cached = session.buildFromCache(session.plan(BuildRequest.of(input)), events::add);
                assertThat(cached).get().extracting(r -> r.image().id()).isEqualTo(built.image().id());
                assertThat(cached.get().fromCache()).isTrue();
            }
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(BuildEvent.StepCached.class));

            events.clear();
            Files.writeString(ctx.resolve("hello.txt"), "changed\n");
            try (BuildInput input = BuildInput.directory(ctx, null)) {
                assertThat(session.buildFromCache(session.plan(BuildRequest.of(input)), events::add)).isEmpty();
            }
            assertThat(events).as("a build that did not happen reports nothing").isEmpty();
        }
    }

    @Test
    void aSandboxStartedForTheSession_isStoppedAtClose_whenNoBuildRanAContainer() throws Exception {
        Assumptions.assumeTrue(ProcessIds.isRoot(), "a sandbox needs root (really or in kiln's user namespace)");
        Set<Long> before = children();
        Sandbox.Starting sandbox = Sandbox.starting();
        Set<Long> spawner = children();
        spawner.removeAll(before);
        assertThat(spawner).as("the spawner JVM").hasSize(1);

        try (BuildSession session = BuildSession.open(SessionOptions.of(tmp.resolve("store")), sandbox)) {
            build(session, "app:1", new ArrayList<>()); // no RUN: the sandbox is not opened
        }
        assertThat(ProcessHandle.of(spawner.iterator().next()).filter(ProcessHandle::isAlive)).isEmpty();
        sandbox.close(); // the caller's own close does nothing more
        assertThatThrownBy(() -> sandbox.open(SandboxOptions.of(Isolation.AUTO)))
                .isInstanceOf(IllegalStateException.class);
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toCollection(HashSet::new));
    }
}
