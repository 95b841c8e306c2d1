package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.ExposeInstruction;
import dev.kiln.oci.ImageConfig;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** EXPOSE: adds {@code PORT/PROTO} keys; history {@code EXPOSE map[5000/tcp:{}]} as Go prints the map. */
record ExposeChange(ExposeInstruction expose) implements ConfigChange {
    private Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        expose.portSpecs().forEach(p -> keys.addAll(p.keys()));
        return keys;
    }

    @Override
    public ImageConfig apply(ImageConfig before) {
        Set<String> ports = new TreeSet<>(before.config().exposedPorts());
        ports.addAll(keys());
        return before.withConfig(before.config().withExposedPorts(ports));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "EXPOSE " + keys().stream().map(k -> k + ":{}").collect(Collectors.joining(" ", "map[", "]"));
    }
}
