package dev.kiln.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.builder.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's training run: what it goes through is what the start-up cache holds. */
class CdsTrainingTest {
    @TempDir Path work;

    @Test
    void train_buildsThenPullsFromItsLoopbackRegistry_andExtractsTheLayersBothWays() throws IOException {
        assertThat(CdsTraining.train(work)).isZero();

        assertThat(work.resolve("image.tar")).isRegularFile();
        assertThat(Files.readString(work.resolve("pulled/images.json"))).contains(TrainingRegistry.REPOSITORY);
        assertThat(layerDirs(new StoreLayout(work.resolve("arriving")))).isNotEmpty()
                .isEqualTo(layerDirs(new StoreLayout(work.resolve("extracted"))));
        assertThat(work.resolve("extracted/layers/" + layerDirs(new StoreLayout(work.resolve("extracted"))).get(0)))
                .isDirectory();
    }

    private static java.util.List<String> layerDirs(StoreLayout store) throws IOException {
        try (Stream<Path> files = Files.list(store.layers())) {
            return files.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
