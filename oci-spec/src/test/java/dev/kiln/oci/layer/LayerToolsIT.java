package dev.kiln.oci.layer;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Image;
import dev.kiln.oci.Platform;
import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.ImageValidator;
import dev.kiln.oci.testing.TarListing;
import dev.kiln.oci.testing.TestImages;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Layers written by kiln, judged by umoci and GNU tar; real base images extracted by kiln. */
class LayerToolsIT {
    private static final System.Logger LOG = System.getLogger(LayerToolsIT.class.getName());
    static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    /** A tree with the awkward parts: hardlinks, symlinks, setuid, sticky, long and non-ASCII names. */
    private Path sampleTree() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/busybox"), "#!/bin/true\n");
        Files.setAttribute(dir.resolve("bin/busybox"), "unix:mode", 04755);
        Files.createLink(dir.resolve("bin/sh"), dir.resolve("bin/busybox"));
        Files.createSymbolicLink(dir.resolve("bin/ls"), Path.of("busybox"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.setAttribute(dir.resolve("tmp"), "unix:mode", 01777);
        Path deep = Files.createDirectories(dir.resolve("usr/share/" + "d".repeat(90) + "/" + "e".repeat(90)));
        Files.writeString(deep.resolve("f".repeat(150) + ".txt"), "long\n");
        Files.writeString(FileNames.resolve(dir, "usr/share/café"), "accent\n");
        return dir;
    }

    @Test
    void umociUnpack_imageFromLayerWriter_reproducesTree() throws Exception {
        Path tree = sampleTree();
        OciLayout layout = OciLayout.create(tmp.resolve("layout"));
        LayerResult layer = new LayerWriter().writeDirectory(tree, layout);
        LayerResult whiteout = new LayerWriter().write(List.of(LayerEntry.whiteout("usr/share/café")), layout);
        Image image = TestImages.ociImage(layout, AMD64, List.of(layer.descriptor(), whiteout.descriptor()),
                List.of(layer.diffId(), whiteout.diffId()));
        layout.tag("t", image.descriptor());
        ImageValidator.validate(layout);

        Path bundle = tmp.resolve("bundle");
        ExternalTool.run("umoci", "unpack", "--rootless", "--image", layout.dir() + ":t", bundle.toString())
                .assertSuccess();
        Map<String, String> expected = describe(tree);
        expected.remove("usr/share/café");
        assertThat(describe(bundle.resolve("rootfs"))).isEqualTo(expected);
        assertThat(Files.getAttribute(bundle.resolve("rootfs/bin/sh"), "unix:ino"))
                .isEqualTo(Files.getAttribute(bundle.resolve("rootfs/bin/busybox"), "unix:ino"));

        ExternalTool.run("oci-image-tool", "validate", "--type", "image", "--ref", "name=t", layout.dir().toString())
                .assertSuccess();
    }

    @Test
    void gnuTar_listsLayerFromLayerWriter() throws Exception {
        Path tree = sampleTree();
        Path blob = tmp.resolve("layer.tar.gz");
        try (var out = Files.newOutputStream(blob)) {
            new LayerWriter().writeDirectory(tree, out);
        }
        ExternalTool.assumeInstalled("tar");
        List<String> listing = TarListing.of(blob);
        assertThat(listing).contains("h bin/sh link to bin/busybox", "l bin/ls -> busybox",
                "- usr/share/" + "d".repeat(90) + "/" + "e".repeat(90) + "/" + "f".repeat(150) + ".txt",
                "- usr/share/" + TarListing.bytes("café"), "d tmp");
        assertThat(ExternalTool.run("tar", "-tzvf", blob.toString()).assertSuccess().stdout()).contains("drwxrwxrwt");
    }

    @Test
    void extractBusyboxFixture_matchesRootfs() throws Exception {
        Path fixtures = Path.of(ExternalTool.assumeEnv("KILN_IT_FIXTURES"));
        Image image = OciLayout.open(fixtures.resolve("busybox.oci")).image("latest", AMD64);
        Path root = tmp.resolve("rootfs");
        for (int i = 0; i < image.layers().size(); i++) {
            Descriptor layer = image.layers().get(i);
            try (InputStream in = image.openLayer(layer);
                    DiffIdCheck check = DiffIdCheck.readingAhead(in, layer.digest(), image.diffIds().get(i))) {
                new LayerExtractor().extract(check.stream(), root);
                assertThat(check.finish()).isEqualTo(image.diffIds().get(i));
            }
        }
        Map<String, String> expected = describe(fixtures.resolve("busybox-rootfs"));
        assertThat(describe(root)).containsAllEntriesOf(expected);
    }

    @Test
    void extractPythonFixture_thenRewrite_sameEntries() throws Exception {
        Path fixtures = Path.of(ExternalTool.assumeEnv("KILN_IT_FIXTURES"));
        Image image = OciLayout.open(fixtures.resolve("python.oci")).image("3.9-slim", AMD64);
        // outside JUnit's @TempDir, which warns about every absolute symlink it deletes
        Path root = Files.createTempDirectory("kiln-python-rootfs-");
        try {
            extractAndRewrite(image, root);
        } finally {
            FlattenWhiteouts.deleteTree(root);
        }
    }

    private void extractAndRewrite(Image image, Path root) throws IOException {
        long start = System.nanoTime();
        ExtractResult r;
        try (InputStream in = image.openLayer(image.layers().get(0));
                DiffIdCheck check = DiffIdCheck.readingAhead(in, image.layers().get(0).digest(),
                        image.diffIds().get(0))) {
            r = new LayerExtractor().extract(check.stream(), root);
            check.finish();
        }
        long extracted = System.nanoTime();
        assertThat(root.resolve("usr/bin/python3")).exists();
        assertThat(Files.isSymbolicLink(root.resolve("bin"))).isTrue(); // usrmerge
        assertThat(root.resolve("usr/lib/python3/dist-packages/flask")).isDirectory();

        LayerResult rewritten = new LayerWriter().writeDirectory(root, java.io.OutputStream.nullOutputStream());
        long written = System.nanoTime();
        LOG.log(Level.INFO, "python layer: {0} MB uncompressed, {1} entries; extract {2} ms, rewrite (tar+gzip) {3} ms",
                r.uncompressedSize() >> 20, r.entries(), (extracted - start) / 1_000_000, (written - extracted) / 1_000_000);
        System.out.printf("MEASURE python layer: %d MB uncompressed, %d entries; extract %d ms; rewrite %d ms%n",
                r.uncompressedSize() >> 20, r.entries(), (extracted - start) / 1_000_000, (written - extracted) / 1_000_000);
        assertThat(rewritten.entries()).isEqualTo(describe(root).size());
    }

    /** path → type, mode, size or link target, for comparing trees (owners and times left out). */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = FileNames.relative(root, p);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + FileNames.text(Files.readSymbolicLink(p)));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + Integer.toOctalString(mode & 07777));
                } else {
                    out.put(rel, "file " + Integer.toOctalString(mode & 07777) + " " + Files.size(p));
                }
            }
        }
        return out;
    }
}
