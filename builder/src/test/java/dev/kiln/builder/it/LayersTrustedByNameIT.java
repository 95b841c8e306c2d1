package dev.kiln.builder.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Digest;
import dev.kiln.oci.Json;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaType;
import dev.kiln.oci.layout.OciLayout;
import dev.kiln.oci.testing.ExternalTool;
import dev.kiln.oci.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, finding 5 ("layers are trusted by name"): a hostile image copies busybox's config byte
 * for byte (so it claims busybox's diff IDs and even has busybox's image ID) over a second layer of
 * its own. Building from it must fail naming the image, the layer and both digests, and leave
 * nothing under busybox's diff ID; a later build from the real busybox, in the same store, must see
 * busybox's files, from its extracted layers and from the build cache alike.
 */
class LayersTrustedByNameIT {
    String registry;
    UserKiln kiln;
    Path work;
    String hostile;
    Digest claimed;
    Digest hostileLayer;
    List<String> realLayers;

    @BeforeEach
    void setUp() throws Exception {
        registry = ItEnv.require("KILN_IT_REGISTRY");
        Path fixtures = Path.of(ItEnv.require("KILN_IT_FIXTURES"));
        kiln = UserKiln.create("kiln-layers-it-");
        work = kiln.work();
        hostile = registry + "/evil/busybox:latest";
        pushHostile(fixtures.resolve("busybox.oci"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (kiln != null) {
            kiln.delete();
        }
    }

    /** busybox:oci's config and first layer, and a second layer that is not busybox's. */
    private void pushHostile(Path busybox) throws Exception {
        OciLayout real = OciLayout.open(busybox);
        Descriptor manifestDesc = real.resolve("oci").orElseThrow();
        Manifest m = Json.read(real.readAll(manifestDesc.digest()), Manifest.class);
        byte[] config = real.readAll(m.config().digest());
        claimed = Json.parseConfig(config).value().rootfs().diffIds().get(1);
        realLayers = m.layers().stream().map(l -> l.digest().toString()).toList();

        Map<String, String> files = new TreeMap<>();
        files.put("etc/", "");
        files.put("etc/passwd", "root:x:0:0:pwned:/root:/bin/sh\n");
        files.put("poisoned", "evil\n");
        byte[] evil = TestImages.gzip(TestImages.tar(files));

        OciLayout out = OciLayout.create(work.resolve("hostile.oci"));
        out.put(config);
        Descriptor first = m.layers().get(0);
        try (var in = real.open(first.digest())) {
            out.put(in, first.digest(), first.size());
        }
        hostileLayer = out.put(evil);
        Manifest bad = m.withLayers(List.of(first, Descriptor.of(MediaType.OCI_LAYER_GZIP, hostileLayer, evil.length)));
        out.tag("latest", out.putDocument(Json.encode(bad), MediaType.OCI_MANIFEST));
        ExternalTool.run("skopeo", "copy", "--dest-tls-verify=false", "oci:" + out.dir() + ":latest",
                "docker://" + hostile).assertSuccess();
    }

    private Path context(String name, String dockerfile) throws Exception {
        return kiln.context(name, dockerfile, Map.of());
    }

    private UserKiln.Result build(Path ctx, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--root", work.resolve("store").toString(),
                "--registry-mirror", "docker.io=" + registry, "--progress", "plain"));
        args.addAll(List.of(extra));
        args.add(ctx.toString());
        return kiln.run(Map.of(), 10, args.toArray(String[]::new));
    }

    @Test
    void layersTrustedByName_hostileDiffId_isRefused_andCannotPoisonTheRealImage() throws Exception {
        UserKiln.Result refused = build(context("evil", "FROM " + hostile + "\nRUN cat /etc/passwd\n"));

        assertThat(refused.exit()).as(refused.out() + refused.err()).isNotZero();
        assertThat(refused.err()).contains(hostile.replace(":latest", ""), hostileLayer.toString(),
                claimed.toString()).doesNotContain("Exception", "\tat ");
        Path layers = work.resolve("store/layers");
        assertThat(layers.resolve(claimed.hex())).as("nothing kept under busybox's diff ID").doesNotExist();
        if (Files.isDirectory(layers)) {
            try (Stream<Path> left = Files.list(layers)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".extract"));
            }
        }

        UserKiln.Result real = build(context("real",
                "FROM busybox\nRUN if test -e /poisoned || grep -q pwned /etc/passwd; then echo POISONED; exit 1; fi;"
                        + " echo real-passwd-ok\n"));
        real.ok();
        assertThat(real.out() + real.err()).contains("real-passwd-ok");
    }

    @Test
    void layersTrustedByName_hostileImageSharingTheConfig_cannotHandItsLayersToTheRealImageThroughTheCache()
            throws Exception {
        build(context("evil", "FROM " + hostile + "\nLABEL built=yes\n"));

        Path tar = work.resolve("real.tar");
        build(context("real", "FROM busybox:oci\nLABEL built=yes\n"), "-o", "type=oci,dest=" + tar).ok();

        JsonNode image = Kiln.skopeoInspect("oci-archive:" + tar, false);
        assertThat(Kiln.texts(image.get("Layers"))).containsExactlyElementsOf(realLayers);
    }
}
