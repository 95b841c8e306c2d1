package dev.kiln.builder.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageLocationTest {

    @Test
    void parse_docker_normalisesReference() {
        ImageLocation l = ImageLocation.parse("docker://busybox");
        assertThat(l).isInstanceOf(ImageLocation.Registry.class);
        assertThat(((ImageLocation.Registry) l).ref().toString()).isEqualTo("docker.io/library/busybox:latest");
    }

    @Test
    void parse_ociDirWithRef_splitsAtFirstColon() {
        assertThat(ImageLocation.parse("oci:/tmp/x:3.9-slim"))
                .isEqualTo(new ImageLocation.OciDir(Path.of("/tmp/x"), "3.9-slim"));
        assertThat(ImageLocation.parse("oci:/tmp/x")).isEqualTo(new ImageLocation.OciDir(Path.of("/tmp/x"), null));
    }

    @Test
    void parse_archives_andKiln() {
        assertThat(ImageLocation.parse("oci-archive:a.tar:latest"))
                .isEqualTo(new ImageLocation.OciArchiveFile(Path.of("a.tar"), "latest"));
        assertThat(ImageLocation.parse("docker-archive:b.tar"))
                .isEqualTo(new ImageLocation.DockerArchiveFile(Path.of("b.tar"), null));
        assertThat(ImageLocation.parse("kiln:app:1").toString()).isEqualTo("kiln:docker.io/library/app:1");
    }

    @Test
    void parse_unknownTransportOrBareName_explains() {
        assertThatThrownBy(() -> ImageLocation.parse("containers-storage:x"))
                .hasMessageContaining("unknown transport 'containers-storage'");
        assertThatThrownBy(() -> ImageLocation.parse("docker:busybox"))
                .hasMessageContaining("docker://");
        assertThatThrownBy(() -> ImageLocation.parse("oci:"))
                .hasMessageContaining("path is empty");
    }

    @Test
    void parseOrReference_bareNameIsARegistryReference() {
        assertThat(ImageLocation.parseOrReference("127.0.0.1:5000/a:1"))
                .isInstanceOf(ImageLocation.Registry.class);
        assertThat(ImageLocation.parseOrReference("oci:d:t")).isInstanceOf(ImageLocation.OciDir.class);
    }
}
