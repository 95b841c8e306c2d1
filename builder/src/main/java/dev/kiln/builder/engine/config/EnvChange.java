package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.EnvInstruction;
import dev.kiln.builder.dockerfile.KeyValue;
import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.ImageConfig;
import java.util.stream.Collectors;

/** ENV: sets or replaces {@code K=V} entries in place; history {@code ENV K=V K2=V2}. */
record EnvChange(EnvInstruction env) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        ContainerConfig c = before.config();
        for (KeyValue kv : env.vars()) {
            c = c.withEnvVar(kv.key(), kv.value());
        }
        return before.withConfig(c);
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "ENV " + env.vars().stream().map(kv -> kv.key() + "=" + kv.value()).collect(Collectors.joining(" "));
    }
}
