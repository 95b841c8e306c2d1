package dev.kiln.oci;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MediaTypeTest {
    @Test
    void classifiers_knownTypes() {
        assertThat(MediaType.OCI_MANIFEST.isManifest()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST.isManifest()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST_LIST.isIndex()).isTrue();
        assertThat(MediaType.OCI_INDEX.isManifest()).isFalse();
        assertThat(MediaType.DOCKER_CONFIG.isConfig()).isTrue();
        assertThat(MediaType.DOCKER_FOREIGN_LAYER.isLayer()).isTrue();
        assertThat(MediaType.DOCKER_FOREIGN_LAYER.isNondistributable()).isTrue();
        assertThat(MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP.isNondistributable()).isTrue();
        assertThat(MediaType.OCI_LAYER_GZIP.isNondistributable()).isFalse();
        assertThat(MediaType.DOCKER_SCHEMA1_SIGNED.isSchema1()).isTrue();
        assertThat(MediaType.of("application/vnd.example+json").isLayer()).isFalse();
    }

    @Test
    void compression_fromSuffix() {
        assertThat(MediaType.OCI_LAYER.compression()).isEqualTo(Compression.NONE);
        assertThat(MediaType.OCI_LAYER_GZIP.compression()).isEqualTo(Compression.GZIP);
        assertThat(MediaType.DOCKER_LAYER_GZIP.compression()).isEqualTo(Compression.GZIP);
        assertThat(MediaType.DOCKER_FOREIGN_LAYER.compression()).isEqualTo(Compression.GZIP);
        assertThat(MediaType.OCI_LAYER_ZSTD.compression()).isEqualTo(Compression.ZSTD);
        assertThat(MediaType.ociLayer(Compression.GZIP)).isEqualTo(MediaType.OCI_LAYER_GZIP);
        assertThat(MediaType.dockerLayer(Compression.NONE)).isEqualTo(MediaType.DOCKER_LAYER);
    }

    @Test
    void sniff_magicBytes() throws Exception {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write("hi".getBytes());
        }
        var in = new java.io.BufferedInputStream(new java.io.ByteArrayInputStream(gz.toByteArray()));
        assertThat(Compression.sniff(in)).isEqualTo(Compression.GZIP);
        assertThat(new String(Compression.autoDecompress(in).readAllBytes())).isEqualTo("hi");
        var plain = new java.io.BufferedInputStream(new java.io.ByteArrayInputStream("hi".getBytes()));
        assertThat(Compression.sniff(plain)).isEqualTo(Compression.NONE);
    }
}
