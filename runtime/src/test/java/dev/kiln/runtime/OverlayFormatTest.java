package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.oci.files.FileNames;
import dev.kiln.oci.layer.LayerEntry;
import dev.kiln.oci.layer.LayerWriter;
import dev.kiln.oci.layer.OverlayMarkers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayFormatTest {
    @TempDir Path tmp;
    /** How the engine turns an upper dir into a layer: oci-spec's writer, overlay conversion on. */
    private static final LayerWriter OVERLAY_TO_OCI =
            new LayerWriter(LayerWriter.Options.defaults().withOverlayWhiteouts(true));
    private final OverlayWhiteouts whiteouts = new OverlayWhiteouts();

    @Test
    void whiteout_ociName_becomesCharDevice00() throws IOException {
        whiteouts.whiteout(tmp.resolve("gone"), "gone");
        assertThat(OverlayMarkers.isWhiteout(tmp.resolve("gone"))).isTrue();
        assertThat(Files.readAttributes(tmp.resolve("gone"), "unix:rdev")).containsEntry("rdev", 0L);
    }

    /** The device node gets the name's own bytes, not the JVM's '?'-mangled String of it (no locale in tests). */
    @Test
    void whiteout_nameNotUtf8_madeUnderItsBytesAndScannedBack() throws IOException {
        String name = FileNames.decode(new byte[] {'F', (byte) 0xf6, 't', (byte) 0xe9});
        Path target = FileNames.resolve(tmp, name);
        whiteouts.whiteout(target, name);
        assertThat(OverlayMarkers.isWhiteout(target)).isTrue();
        assertThat(OVERLAY_TO_OCI.scan(tmp)).extracting(LayerEntry::path).containsExactly(".wh." + name);
    }

    @Test
    void whiteout_existingEntryInSameLayer_isReplaced() throws IOException {
        Files.createDirectories(tmp.resolve("d/sub"));
        whiteouts.whiteout(tmp.resolve("d"), "d");
        assertThat(OverlayMarkers.isWhiteout(tmp.resolve("d"))).isTrue();
    }

    @Test
    void whiteout_dotDotTarget_isRefused() {
        assertThatThrownBy(() -> whiteouts.whiteout(tmp.resolve(".."), ".."))
                .isInstanceOf(IOException.class).hasMessageContaining("'..'");
    }

    @Test
    void isWhiteout_regularFile_isFalse() throws IOException {
        assertThat(OverlayMarkers.isWhiteout(Files.writeString(tmp.resolve("f"), "x"))).isFalse();
    }

    @Test
    void opaque_marksDirWithUserOverlayOpaque() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("d"));
        whiteouts.opaque(d, "d", java.util.Set.of());
        assertThat(OverlayMarkers.isOpaque(d)).isTrue();
        assertThat(OverlayMarkers.isOpaque(tmp)).isFalse();
    }

    @Test
    void layerWriterScan_upperDir_reportsOciWhiteoutsAndOpaqueMarkers() throws IOException {
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/new"), "n");
        OverlayFormat.writeWhiteout(upper.resolve("etc/old"));
        Path opaque = Files.createDirectories(upper.resolve("var/cache"));
        OverlayMarkers.markOpaque(opaque);
        OverlayFormat.writeWhiteout(upper.resolve("top"));
        List<String> names = OVERLAY_TO_OCI.scan(upper).stream().map(LayerEntry::path).toList();
        // in the layer's own order (byte order of the OCI names), as the writer takes them
        assertThat(names).containsExactly(
                ".wh.top", "etc", "etc/.wh.old", "etc/new",
                "var", "var/cache", "var/cache/.wh..wh..opq");
    }

    @Test
    void layerWriterScan_stripsOverlayBookkeepingXattrs() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("d"));
        OverlayMarkers.markOpaque(d);
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(d, UserDefinedFileAttributeView.class);
        view.write("overlay.origin", ByteBuffer.wrap(new byte[] {1}));
        view.write("mime_type", ByteBuffer.wrap("text/plain".getBytes()));
        LayerEntry dir = OVERLAY_TO_OCI.scan(tmp).stream().filter(e -> e.path().equals("d")).findFirst().orElseThrow();
        assertThat(dir.xattrs()).containsOnlyKeys("user.mime_type");
    }

    @Test
    void flatten_appliesWhiteoutsAndOpaqueDirsBottomToTop() throws IOException {
        Path l1 = Files.createDirectory(tmp.resolve("l1"));
        Files.createDirectories(l1.resolve("a"));
        Files.writeString(l1.resolve("a/x"), "1");
        Files.createDirectories(l1.resolve("b"));
        Files.writeString(l1.resolve("b/y"), "1");
        Files.writeString(l1.resolve("c"), "old");
        Path l2 = Files.createDirectory(tmp.resolve("l2"));
        Files.createDirectories(l2.resolve("a"));
        OverlayFormat.writeWhiteout(l2.resolve("a/x"));
        Files.createDirectories(l2.resolve("b"));
        OverlayMarkers.markOpaque(l2.resolve("b"));
        Files.writeString(l2.resolve("b/new"), "2");
        Files.writeString(l2.resolve("c"), "new");
        Files.createSymbolicLink(l2.resolve("link"), Path.of("/etc/passwd"));
        Path out = tmp.resolve("out");
        OverlayFormat.flatten(List.of(l1, l2), out);
        assertThat(out.resolve("a")).isEmptyDirectory();
        assertThat(out.resolve("b/y")).doesNotExist();
        assertThat(out.resolve("b/new")).hasContent("2");
        assertThat(out.resolve("c")).hasContent("new");
        assertThat(Files.readSymbolicLink(out.resolve("link"))).isEqualTo(Path.of("/etc/passwd"));
        assertThat(OverlayMarkers.isOpaque(out.resolve("b"))).isFalse();
    }
}
