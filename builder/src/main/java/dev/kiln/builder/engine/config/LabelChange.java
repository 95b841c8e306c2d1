package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.KeyValue;
import dev.kiln.builder.dockerfile.LabelInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** LABEL: adds or replaces labels; history {@code LABEL k=v k2=v2}. */
record LabelChange(LabelInstruction label) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        Map<String, String> labels = new LinkedHashMap<>(before.config().labels());
        for (KeyValue kv : label.labels()) {
            labels.put(kv.key(), kv.value());
        }
        return before.withConfig(before.config().withLabels(labels));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "LABEL " + label.labels().stream().map(kv -> kv.key() + "=" + kv.value())
                .collect(Collectors.joining(" "));
    }
}
