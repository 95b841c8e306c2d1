package dev.kiln.builder.output;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.LocalStore;
import dev.kiln.builder.store.RawManifest;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.MediaType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code -o} destination: {@code FILE} (an archive in {@code --format}), {@code type=oci,dest=F},
 * {@code type=docker,dest=F} or {@code type=local,dest=DIR}. Each is written to a temp name and
 * renamed into place, so a failed build leaves nothing behind.
 */
public record BuildOutput(String type, Path dest) {

    /** Parses an {@code -o} spec; {@code format} ({@code oci} or {@code docker}) is the type of a bare {@code FILE}. */
    public static BuildOutput parse(String spec, String format) {
        if (!spec.contains("=")) {
            return new BuildOutput(format.toLowerCase(Locale.ROOT), Path.of(spec));
        }
        Map<String, String> kv = new HashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new KilnException("-o " + spec + ": '" + part + "' is not KEY=VALUE",
                        "e.g. -o type=oci,dest=image.tar", null);
            }
            kv.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
        String type = kv.getOrDefault("type", format).toLowerCase(Locale.ROOT);
        String dest = kv.get("dest");
        if (dest == null || !List.of("oci", "docker", "local", "tar").contains(type)) {
            throw new KilnException("-o " + spec + ": need type=oci|docker|local and dest=PATH", null, null);
        }
        return new BuildOutput(type.equals("tar") ? "local" : type, Path.of(dest));
    }

    /**
     * Writes {@code built} (its blobs in {@code store}) here, named {@code names}: archives through
     * {@link ImageWriter#writeFile}, as {@code kiln save} writes them.
     */
    public void write(BuiltImage built, LocalStore store, List<Reference> names) throws IOException {
        RawManifest manifest = new RawManifest(MediaType.OCI_MANIFEST, built.manifest().bytes(),
                built.manifest().digest());
        switch (type) {
            case "oci" -> ImageWriter.writeFile(store, manifest, names, new ImageLocation.OciArchiveFile(dest, null));
            case "docker" -> ImageWriter.writeFile(store, manifest, names,
                    new ImageLocation.DockerArchiveFile(dest, null));
            case "local" -> RootfsExport.export(built, store, dest);
            default -> throw new KilnException("unknown output type " + type, null, null);
        }
    }
}
