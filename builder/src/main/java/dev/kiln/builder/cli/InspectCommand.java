package dev.kiln.builder.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.builder.output.ImageLocation;
import dev.kiln.builder.transport.Inspection;
import dev.kiln.oci.Json;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", description = "Show an image's manifest and config as JSON, without pulling its layers.",
        footer = {"", "IMAGE is a registry reference (busybox:latest) or a location as for kiln copy",
            "(docker://REF, oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE, kiln:NAME)."})
final class InspectCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin RegistryOptions registry;

    @Parameters(paramLabel = "IMAGE") String image;

    @Option(names = "--raw", description = "Print the top-level manifest (or index) exactly as stored or served.")
    boolean raw;

    @Option(names = "--config", description = "Print only the image config, exactly as stored.")
    boolean config;

    @Override
    public Integer call() throws Exception {
        try (Transfers t = new Transfers(global, registry, e -> { }, 0)) {
            Inspection i = t.reader.inspect(ImageLocation.parseOrReference(image));
            if (raw || config) {
                PrintStream out = System.out;
                out.write(raw ? i.top().bytes() : i.config());
                out.flush();
                return Main.EXIT_OK;
            }
            ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("Name", i.name());
            doc.put("Digest", i.top().digest().toString());
            doc.put("MediaType", i.top().mediaType().value());
            if (i.top().isIndex()) {
                doc.put("ManifestDigest", i.image().digest().toString());
                doc.set("Index", Json.readTree(i.top().bytes()));
            }
            doc.set("Manifest", Json.readTree(i.image().bytes()));
            doc.set("Config", Json.readTree(i.config()));
            global.out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            return Main.EXIT_OK;
        }
    }
}
