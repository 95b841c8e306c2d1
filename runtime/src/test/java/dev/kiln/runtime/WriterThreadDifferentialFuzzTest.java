package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layer.JavaFileOps;
import dev.kiln.oci.layer.LayerExtractor;
import dev.kiln.oci.layer.WhiteoutHandler;
import dev.kiln.oci.testing.ExtractionFuzzer;
import dev.kiln.runtime.linux.NativeFileWrites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated hostile layers ({@link ExtractionFuzzer}) extracted on one thread and with regular
 * files written by the second thread from the first file on: each case must end the same way (the
 * same error, or the same tree: names, types, modes, sizes, link targets), in the overlay mode
 * {@code LayerDirs} uses and the flatten mode of {@code RootfsExtractor}, layers stacked.
 */
class WriterThreadDifferentialFuzzTest {
    @TempDir
    Path work;

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @Test
    void overlayMode_writerThread_endsEachCaseAsOneThread() throws Exception {
        compare("overlay", 1, OverlayWhiteouts::new, 400);
    }

    @Test
    void flattenMode_writerThread_endsEachCaseAsOneThread() throws Exception {
        compare("flatten", 3, WhiteoutHandler::flatten, 400);
    }

    private void compare(String name, int maxLayers, Supplier<WhiteoutHandler> whiteouts, int defaultCount)
            throws IOException {
        Path single = work.resolve("single");
        List<String> differences = new ArrayList<>();
        ExtractionFuzzer.Mode mode = new ExtractionFuzzer.Mode(name, maxLayers, (layers, dir) -> {
            FileTrees.deleteQuietly(single);
            Files.createDirectories(single);
            String one = outcome(extractor(whiteouts.get(), -1), layers, single, dir);
            String two = outcome(extractor(whiteouts.get(), 0), layers, dir, single);
            if (!one.equals(two)) {
                differences.add("one thread: " + one + "\n  writer thread: " + two);
            }
        });
        int count = ExtractionFuzzer.count(defaultCount);
        System.out.println(ExtractionFuzzer.run(mode, work, ExtractionFuzzer.seed(), count));
        FileTrees.deleteQuietly(single);
        assertThat(differences).isEmpty();
    }

    private static LayerExtractor extractor(WhiteoutHandler whiteouts, int writerAfter) {
        return new LayerExtractor(LayerExtractor.Options.defaults().withWhiteouts(whiteouts).withApplyOwnership(ROOT)
                .withFileOps(OwnerTags.extraction(new JavaFileOps()))
                .withFileWrites(NativeFileWrites.load().orElseThrow()).withWriterThread(writerAfter));
    }

    /**
     * How extracting {@code layers} into {@code root} ended: the error (the two roots' paths, which
     * entries may name, left out), or the tree.
     */
    private static String outcome(LayerExtractor extractor, List<byte[]> layers, Path root, Path otherRoot) {
        try {
            for (byte[] layer : layers) {
                extractor.extract(new ByteArrayInputStream(layer), root);
            }
            return describe(root);
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).replace(root.toString(), "<root>").replace(otherRoot.toString(), "<root>");
        }
    }

    private static String describe(Path root) throws IOException {
        StringBuilder tree = new StringBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                String mode = Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS));
                tree.append(root.relativize(p)).append(' ').append(mode);
                if (Files.isSymbolicLink(p)) {
                    tree.append(" -> ").append(Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.append(' ').append(Files.size(p));
                }
                tree.append('\n');
            }
        }
        return tree.toString();
    }
}
