package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.oci.testing.AsUser;
import dev.kiln.oci.testing.ExternalTool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile-tar corpus ({@code HostileLayerTest}) and the extraction fuzz of the three modes
 * ({@code LayerExtractorFuzzTest}: flatten and plain tar, {@link OverlayExtractionFuzzTest}: overlay), both
 * again with the native file writes ({@code Native*}, and {@code NativeFileWritesTest}'s same-tree check), the
 * corpus once more with the files written by the extraction's second thread (and {@code WriterThreadBarrierTest}), as the
 * unprivileged {@code KILN_IT_USER}, once as the user itself and once as root of a user namespace
 * that maps the user's subordinate ids (as rootless kiln unpacks layers). The unit test run covers
 * them as real root (CI runs {@code mvn verify} as root).
 */
class HostileLayersAsUserIT {
    private static final List<String> CLASSES = List.of("dev.kiln.oci.layer.HostileLayerTest",
            "dev.kiln.oci.layer.LayerExtractorFuzzTest", OverlayExtractionFuzzTest.class.getName(),
            "dev.kiln.oci.layer.NativeHostileLayerTest", "dev.kiln.oci.layer.NativeLayerExtractorFuzzTest",
            "dev.kiln.runtime.linux.NativeFileWritesTest", "dev.kiln.oci.layer.NativeWriterThreadHostileLayerTest",
            "dev.kiln.oci.layer.WriterThreadBarrierTest");

    private static String user;
    private static AsUser asUser;

    @BeforeAll
    static void setUp() throws Exception {
        user = AsUser.user("KILN_IT_USER");
        asUser = AsUser.prepare();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (asUser != null) {
            asUser.delete();
        }
    }

    private static Map<String, String> fuzzSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : List.of("kiln.fuzz.seed", "kiln.fuzz.count")) {
            if (System.getProperty(name) != null) {
                settings.put(name, System.getProperty(name));
            }
        }
        return settings;
    }

    @Test
    void hostileLayers_asUnprivilegedUser_nothingOutsideTheRootChanges() throws Exception {
        List<String> classes = new ArrayList<>(CLASSES);
        classes.add("dev.kiln.oci.files.FileTreesTest"); // the fuzzer's clean-up of 0000 dirs as their owner
        ExternalTool.Result r = asUser.run(user, false, fuzzSettings(), classes);
        System.out.println(r.stdout());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("extraction fuzz (flatten, as " + user + ")",
                "extraction fuzz (overlay, as " + user + ")",
                "extraction fuzz (plain tar, as " + user + ")");
    }

    @Test
    void hostileLayers_asRootOfUserNamespaceWithSubordinateIds_nothingOutsideTheRootChanges() throws Exception {
        ExternalTool.Result r = asUser.run(user, true, fuzzSettings(), CLASSES);
        System.out.println(r.stdout());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("extraction fuzz (flatten, as root)", "extraction fuzz (overlay, as root)",
                "extraction fuzz (plain tar, as root)");
    }
}
