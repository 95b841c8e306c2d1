package dev.kiln.oci.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The two whiteout forms kiln reads and writes: OCI's names and overlayfs's on-disk markers. */
class WhiteoutsTest {
    @ParameterizedTest
    @CsvSource({
            "gone,        .wh.gone",
            "etc/group,   etc/.wh.group",
            "a/b/.wh.c,   a/b/.wh..wh.c",
    })
    void markerPath_deletedPath_roundTrip(String path, String marker) {
        assertThat(Whiteouts.markerPath(path)).isEqualTo(marker);
        int slash = marker.lastIndexOf('/');
        String dir = slash < 0 ? "" : marker.substring(0, slash);
        String base = marker.substring(slash + 1);
        assertThat(Whiteouts.isWhiteout(base)).isTrue();
        assertThat(Whiteouts.isOpaque(base)).isFalse();
        assertThat(Whiteouts.deletedPath(dir, base)).isEqualTo(path);
    }

    @Test
    void opaqueMarker_isAWhiteoutNameToo_andNamesItsDirectory() {
        assertThat(Whiteouts.opaqueMarkerPath("var/cache")).isEqualTo("var/cache/.wh..wh..opq");
        assertThat(Whiteouts.isOpaque(".wh..wh..opq")).isTrue();
        assertThat(Whiteouts.isWhiteout(".wh..wh..opq")).isTrue();
        assertThat(Whiteouts.OPAQUE).startsWith(Whiteouts.META_PREFIX);
    }

    @ParameterizedTest
    @CsvSource({"'', false", "., false", ".., false", "..., true", "x, true", ".wh.x, true"})
    void namesEntry_refusesEmptyDotAndDotDot(String target, boolean names) {
        assertThat(Whiteouts.namesEntry(target)).isEqualTo(names);
    }

    @ParameterizedTest
    @CsvSource({
            "0020000, 0,      true",   // char device 0:0
            "0020644, 0,      true",   // permission bits do not matter
            "0020000, 256,    false",  // char device 1:0
            "0020000, 1,      false",  // char device 0:1
            "0020000, 4294967296, false", // a major number in the high bits
            "0060000, 0,      false",  // block device 0:0
            "0100644, 0,      false",  // regular file
    })
    void overlayWhiteout_isCharDevice00Only(int mode, long rdev, boolean whiteout) {
        assertThat(OverlayMarkers.isWhiteout(mode, rdev)).isEqualTo(whiteout);
    }

    @Test
    void overlayOpaque_isUserOverlayOpaqueY() {
        assertThat(OverlayMarkers.isOpaque(Map.of("user.overlay.opaque", bytes("y")))).isTrue();
        assertThat(OverlayMarkers.isOpaque(Map.of("user.overlay.opaque", bytes("n")))).isFalse();
        assertThat(OverlayMarkers.isOpaque(Map.of("trusted.overlay.opaque", bytes("y")))).isFalse();
        assertThat(OverlayMarkers.isOpaque(Map.of())).isFalse();
    }

    @Test
    void overlayXattrs_areUserOverlayOnly() {
        assertThat(OverlayMarkers.isOverlayXattr("user.overlay.origin")).isTrue();
        assertThat(OverlayMarkers.isOverlayXattr("user.overlay.opaque")).isTrue();
        assertThat(OverlayMarkers.isOverlayXattr("user.overlayish")).isFalse();
        assertThat(OverlayMarkers.isOverlayXattr("user.mime_type")).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
