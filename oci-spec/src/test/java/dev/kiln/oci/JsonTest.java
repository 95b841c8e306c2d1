package dev.kiln.oci;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    /** A Docker v2s2 manifest as Docker Hub serves it: pretty-printed, 3-space indent. */
    static final String DOCKER_MANIFEST = """
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
               "config": {
                  "mediaType": "application/vnd.docker.container.image.v1+json",
                  "size": 1457,
                  "digest": "%s"
               },
               "layers": [
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 2152262,
                     "digest": "%s"
                  }
               ]
            }""".formatted(D1, D2);

    /** An OCI manifest without mediaType (valid OCI), with an unknown field. */
    static final String OCI_MANIFEST_NO_TYPE = """
            {"schemaVersion":2,"x-vendor":{"a":[1,2]},"config":{"mediaType":"application/vnd.oci.image.config.v1+json",\
            "digest":"%s","size":7},"layers":[]}""".formatted(D1);

    /** A config as Docker writes it, including legacy fields kiln does not model. */
    static final String DOCKER_CONFIG = """
            {"architecture":"amd64","config":{"Hostname":"","Env":["PATH=/usr/bin:/bin"],\
            "Cmd":["sh"],"ExposedPorts":{"80/tcp":{},"443/tcp":{}},"Labels":{"b":"2","a":"1"},\
            "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000},"OnBuild":null},\
            "container_config":{"Cmd":["/bin/sh"]},"created":"2024-09-26T21:31:42.188138442Z",\
            "docker_version":"26.1.5","history":[{"created":"2024-09-26T21:31:42Z","created_by":\
            "/bin/sh -c #(nop) ADD file:abc in / "},{"created":"2024-09-26T21:31:42Z","created_by":\
            "/bin/sh -c #(nop)  CMD [\\"sh\\"]","empty_layer":true}],"os":"linux","rootfs":{"type":"layers",\
            "diff_ids":["%s"]}}""".formatted(D2);

    @Test
    void parseManifest_dockerPrettyPrinted_keepsRawBytesAndDigest() {
        byte[] raw = DOCKER_MANIFEST.getBytes(StandardCharsets.UTF_8);
        Parsed<Manifest> parsed = Json.parseManifest(raw);
        assertThat(parsed.bytes()).isEqualTo(raw);
        assertThat(parsed.digest()).isEqualTo(Digest.sha256(raw));
        assertThat(parsed.value().mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(parsed.value().config().digest()).hasToString(D1);
        assertThat(parsed.value().layers()).singleElement()
                .satisfies(l -> assertThat(l.size()).isEqualTo(2152262));
        // re-serialising would change the bytes, which is why the raw bytes are kept
        assertThat(Json.write(parsed.value())).isNotEqualTo(raw);
    }

    @Test
    void parseManifest_withoutMediaType_acceptedAsOci() {
        byte[] raw = OCI_MANIFEST_NO_TYPE.getBytes(StandardCharsets.UTF_8);
        Parsed<Manifest> parsed = Json.parseManifest(raw);
        assertThat(parsed.value().mediaType()).isNull();
        assertThat(parsed.value().effectiveMediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(parsed.value().layers()).isEmpty();
        assertThat(Json.detectMediaType(raw)).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(new String(Json.write(parsed.value()), StandardCharsets.UTF_8))
                .contains("\"layers\":[]").doesNotContain("mediaType\":null").doesNotContain("x-vendor");
    }

    @Test
    void parseManifest_schema1_refusedWithHint() {
        byte[] raw = "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThat(Json.detectMediaType(raw).isSchema1()).isTrue();
        assertThatThrownBy(() -> Json.parseManifest(raw)).isInstanceOf(KilnException.class)
                .hasMessageContaining("schema 1")
                .satisfies(e -> assertThat(((KilnException) e).hint()).isPresent());
    }

    @Test
    void parseManifest_garbage_refusedNamingType() {
        assertThatThrownBy(() -> Json.parseManifest("{\"schemaVersion\":2,".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KilnException.class).hasMessageContaining("JSON");
        byte[] badDigest = ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\","
                + "\"digest\":\"sha256:XYZ\",\"size\":1}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Json.parse(badDigest, Manifest.class))
                .isInstanceOf(KilnException.class).hasMessageContaining("sha256:XYZ");
    }

    @Test
    void parseIndex_withPlatformsAndRefName_findsEntries() {
        String json = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
                 "platform":{"architecture":"amd64","os":"linux"}},
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":2,
                 "platform":{"architecture":"arm64","os":"linux","variant":"v8"},
                 "annotations":{"org.opencontainers.image.ref.name":"latest"}}]}""".formatted(D1, D2);
        Parsed<Index> parsed = Json.parseIndex(json.getBytes(StandardCharsets.UTF_8));
        Index index = parsed.value();
        assertThat(index.find(Platform.parse("linux/arm64")).orElseThrow().digest()).hasToString(D2);
        assertThat(index.find(Platform.parse("linux/amd64")).orElseThrow().digest()).hasToString(D1);
        assertThat(index.find(Platform.parse("linux/s390x"))).isEmpty();
        assertThat(index.findByRefName("latest").orElseThrow().size()).isEqualTo(2);
        assertThat(Json.detectMediaType(parsed.bytes())).isEqualTo(MediaType.OCI_INDEX);
    }

    @Test
    void parseConfig_dockerConfig_readsModelledFieldsAndKeepsBytes() {
        byte[] raw = DOCKER_CONFIG.getBytes(StandardCharsets.UTF_8);
        Parsed<ImageConfig> parsed = Json.parseConfig(raw);
        ImageConfig c = parsed.value();
        assertThat(parsed.digest()).isEqualTo(Digest.sha256(raw));
        assertThat(c.platform()).hasToString("linux/amd64");
        assertThat(c.config().cmd()).containsExactly("sh");
        assertThat(c.config().envValue("PATH")).contains("/usr/bin:/bin");
        assertThat(c.config().exposedPorts()).containsExactly("443/tcp", "80/tcp");
        assertThat(c.config().onBuild()).isEmpty();
        assertThat(c.config().healthcheck().interval()).isEqualTo(30_000_000_000L);
        assertThat(c.rootfs().diffIds()).extracting(Digest::toString).containsExactly(D2);
        assertThat(c.history()).hasSize(2);
        assertThat(c.history().get(1).emptyLayer()).isTrue();
        assertThat(c.createdInstant()).isPresent();
    }

    @Test
    void write_imageConfigKilnCreates_hasDockerShapeAndOrder() {
        ImageConfig config = ImageConfig.empty(Platform.parse("linux/amd64"))
                .withCreated("2024-01-01T00:00:00Z")
                .withConfig(ContainerConfig.EMPTY
                        .withEnvVar("PATH", "/bin")
                        .withCmd(List.of("sh"))
                        .withExposedPorts(Set.of("8080/tcp"))
                        .withLabels(Map.of("z", "1", "a", "2")))
                .withLayer(Digest.parse(D2), History.of("2024-01-01T00:00:00Z", "COPY . /"))
                .withEmptyLayerHistory(History.of("2024-01-01T00:00:00Z", "CMD [\"sh\"]"));
        String json = new String(Json.encode(config).bytes(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"amd64\","
                + "\"os\":\"linux\",\"config\":{\"ExposedPorts\":{\"8080/tcp\":{}},\"Env\":[\"PATH=/bin\"],"
                + "\"Cmd\":[\"sh\"],\"Labels\":{\"a\":\"2\",\"z\":\"1\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D2 + "\"]},"
                + "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY . /\"},"
                + "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"CMD [\\\"sh\\\"]\",\"empty_layer\":true}]}");
        // and it reads back to an equal value
        assertThat(Json.parseConfig(json.getBytes(StandardCharsets.UTF_8)).value()).isEqualTo(config);
    }

    @Test
    void write_emptyConfig_keepsConfigAndRootfsObjects() {
        String json = new String(Json.write(ImageConfig.empty(Platform.parse("linux/arm64/v8"))),
                StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    }

    @Test
    void write_manifestAndIndex_roundTripByValue() {
        Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, Digest.parse(D1), 10);
        Manifest m = Manifest.of(MediaType.OCI_MANIFEST, config, List.of())
                .withLayer(Descriptor.of(MediaType.OCI_LAYER_GZIP, Digest.parse(D2), 20));
        Parsed<Manifest> encoded = Json.encode(m);
        assertThat(new String(encoded.bytes(), StandardCharsets.UTF_8)).startsWith(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                        + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1
                        + "\",\"size\":10},\"layers\":[");
        assertThat(Json.parseManifest(encoded.bytes()).value()).isEqualTo(m);

        Index index = Index.of(MediaType.OCI_INDEX, List.of())
                .withManifest(encoded.descriptor(MediaType.OCI_MANIFEST)
                        .withPlatform(Platform.parse("linux/arm64/v8"))
                        .withAnnotation(Descriptor.REF_NAME, "v1"));
        Parsed<Index> encodedIndex = Json.encode(index);
        assertThat(Json.parseIndex(encodedIndex.bytes()).value()).isEqualTo(index);
        assertThat(new String(encodedIndex.bytes(), StandardCharsets.UTF_8)).contains(
                "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"},"
                        + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}");
    }

    @Test
    void records_copyCollections_soCallersCannotMutate() {
        List<Descriptor> layers = new java.util.ArrayList<>();
        Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, Digest.parse(D1), 1),
                layers);
        layers.add(Descriptor.of(MediaType.OCI_LAYER, Digest.parse(D2), 1));
        assertThat(m.layers()).isEmpty();
        assertThatThrownBy(() -> m.layers().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parsedVerified_wrongDigest_refused() {
        byte[] raw = OCI_MANIFEST_NO_TYPE.getBytes(StandardCharsets.UTF_8);
        Manifest m = Json.parseManifest(raw).value();
        assertThatThrownBy(() -> Parsed.verified(m, raw, Digest.parse(D1), "manifest"))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining(D1);
        assertThat(Parsed.verified(m, raw, Digest.sha256(raw), "manifest").digest()).isEqualTo(Digest.sha256(raw));
    }
}
