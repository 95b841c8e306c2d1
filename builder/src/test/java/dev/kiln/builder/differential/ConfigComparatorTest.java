package dev.kiln.builder.differential;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigComparatorTest {
    private static JsonNode json(String text) {
        return Json.readTree(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> keys(String kiln, String buildah) {
        return ConfigComparator.compare(json(kiln), json(buildah)).stream().map(Difference::key).toList();
    }

    @Test
    void compare_fieldByField_mapsKeyByKey() {
        String kiln = "{'config': {'Env': ['A=1'], 'Labels': {'a': '1', 'b': '2'}, 'User': 'app'}}";
        String buildah = "{'config': {'Env': ['A=2'], 'Labels': {'a': '1', 'c': '3'}, 'User': 'app'}}";
        assertThat(keys(kiln, buildah)).containsExactly("config Env", "config Labels[b]", "config Labels[c]");
    }

    @Test
    void compare_emptyValues_countAsUnset() {
        assertThat(keys("{'config': {'Env': ['A=1']}}",
                "{'config': {'Env': ['A=1'], 'User': '', 'OnBuild': [], 'Volumes': {}, 'Cmd': null}}")).isEmpty();
    }

    @Test
    void compare_authorAndLayerCount() {
        assertThat(keys("{'author': 'me', 'rootfs': {'diff_ids': ['a', 'b']}}",
                "{'author': 'you', 'rootfs': {'diff_ids': ['a']}}")).containsExactly("author", "layers count");
    }

    @Test
    void compare_history_alignedByInstruction_formatDifferenceIsOneKey() {
        String kiln = """
                {'history': [{'created_by': 'COPY base /'},
                  {'created_by': 'ENV A=1', 'empty_layer': true},
                  {'created_by': 'RUN |1 X=2 /bin/sh -c make # buildkit'},
                  {'created_by': 'WORKDIR /app'}]}""";
        String buildah = """
                {'history': [{'created_by': 'COPY base /'},
                  {'created_by': '/bin/sh -c #(nop) ENV A=1', 'empty_layer': true},
                  {'created_by': '/bin/sh -c #(nop) ONBUILD RUN x', 'empty_layer': true},
                  {'created_by': '|1 X=2 /bin/sh -c make'},
                  {'created_by': '/bin/sh -c #(nop) WORKDIR /app', 'empty_layer': true}]}""";
        assertThat(keys(kiln, buildah)).containsExactly("history count", "history[2] ONBUILD only-in-buildah",
                "history[3] WORKDIR empty_layer", "history created_by format");
    }

    @Test
    void compare_runTexts_differingCommandIsFound() {
        assertThat(keys("{'history': [{'created_by': 'RUN /bin/sh -ec make # buildkit'}]}",
                "{'history': [{'created_by': '/bin/sh -c make'}]}")).containsExactly("history[0] RUN text");
    }

    @Test
    void instruction_readsBothFormats() {
        assertThat(ConfigComparator.instruction("/bin/sh -c #(nop) COPY file:ab in / ")).isEqualTo("COPY");
        assertThat(ConfigComparator.instruction("/bin/sh -c echo")).isEqualTo("RUN");
        assertThat(ConfigComparator.instruction("|2 A=1 B=2 /bin/sh -c echo")).isEqualTo("RUN");
        assertThat(ConfigComparator.instruction("EXPOSE map[80/tcp:{}]")).isEqualTo("EXPOSE");
    }
}
