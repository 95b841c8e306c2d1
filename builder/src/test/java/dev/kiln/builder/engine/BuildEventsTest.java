package dev.kiln.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.builder.engine.run.RunFailedException;
import dev.kiln.builder.progress.ProgressEvent;
import dev.kiln.builder.progress.ProgressListener;
import dev.kiln.oci.Platform;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events a build reports beyond steps: base resolution, pulls per stage, failed steps. */
class BuildEventsTest {
    @TempDir Path tmp;
    EngineFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(tmp);
    }

    @Test
    void baseImage_reportsResolvingThenThePullsProgressForItsStage() throws Exception {
        f.images = new ImageSource() {
            @Override
            public BaseImage resolve(String reference, Platform platform) {
                return f.base;
            }

            @Override
            public BaseImage resolve(String reference, Platform platform, ProgressListener progress) {
                progress.on(new ProgressEvent.Started("abc", "layer", 10));
                progress.on(new ProgressEvent.Finished("abc", "downloaded"));
                return f.base;
            }
        };

        f.build("FROM base AS first\nENV A=1\n");

        List<BuildEvent> events = List.copyOf(f.events);
        assertThat(events).startsWith(
                new BuildEvent.Resolving("first", "base"),
                new BuildEvent.Message("resolving base"),
                new BuildEvent.Transfer("first", new ProgressEvent.Started("abc", "layer", 10)),
                new BuildEvent.Transfer("first", new ProgressEvent.Finished("abc", "downloaded")),
                new BuildEvent.StepStarted("first", 1, 2, "FROM base AS first"));
    }

    @Test
    void failingStep_reportsStepFailedWithTheMessage_andNoStepDone() {
        assertThatThrownBy(() -> f.build("FROM base\nRUN exit 3\n")).isInstanceOf(RunFailedException.class);

        assertThat(f.events).filteredOn(e -> e instanceof BuildEvent.StepFailed).singleElement()
                .satisfies(e -> {
                    BuildEvent.StepFailed failed = (BuildEvent.StepFailed) e;
                    assertThat(failed.number()).isEqualTo(2);
                    assertThat(failed.message()).contains("exit code 3");
                });
        assertThat(f.events).noneMatch(e -> e instanceof BuildEvent.StepDone d && d.number() == 2);
    }

    @Test
    void unknownBase_failsStepOne() {
        assertThatThrownBy(() -> f.build("FROM nothing\n")).hasMessageContaining("no such image nothing");

        assertThat(f.events).contains(new BuildEvent.StepFailed("#0", 1, "no such image nothing"));
    }
}
