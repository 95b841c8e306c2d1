package dev.kiln.builder.cli;

import dev.kiln.builder.engine.BuiltImage;
import dev.kiln.builder.output.RootfsExport;
import dev.kiln.builder.registry.Reference;
import dev.kiln.builder.store.CrashPoint;
import dev.kiln.oci.KilnException;
import dev.kiln.oci.files.FileTrees;
import dev.kiln.oci.layout.BlobStore;
import dev.kiln.oci.layout.DockerArchive;
import dev.kiln.oci.layout.OciArchive;
import dev.kiln.oci.layout.OciLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code -o} destination: {@code FILE} (an archive in {@code --format}), {@code type=oci,dest=F},
 * {@code type=docker,dest=F} or {@code type=local,dest=DIR}. Each is written to a temp name and
 * renamed into place, so a failed build leaves nothing behind.
 */
record BuildOutput(String type, Path dest) {

    static BuildOutput parse(String spec, String format) {
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

    void write(BuiltImage built, BlobStore blobs, List<Reference> names, Path tmp) throws IOException {
        Files.createDirectories(tmp);
        switch (type) {
            case "oci" -> {
                Path dir = Files.createTempDirectory(tmp, "oci-out-");
                try {
                    OciLayout layout = OciLayout.create(dir.resolve("layout"));
                    layout.tag(names.isEmpty() ? "latest" : names.get(0).tag() == null ? "latest" : names.get(0).tag(),
                            layout.writeImage(built.image(blobs)));
                    CrashPoint.reached("write");
                    OciArchive.write(layout, dest);
                } finally {
                    FileTrees.deleteQuietly(dir);
                }
            }
            case "docker" -> DockerArchive.write(List.of(new DockerArchive.Entry(
                    names.stream().map(BuildOutput::familiar).toList(), built.image(blobs))), dest);
            case "local" -> {
                Path parent = dest.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path staging = Files.createTempDirectory(parent, "." + dest.getFileName() + "-");
                try {
                    RootfsExport.export(built, blobs, staging);
                    if (Files.isDirectory(dest)) {
                        FileTrees.deleteQuietly(dest);
                    }
                    Files.move(staging, dest, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    if (Files.exists(staging)) {
                        FileTrees.deleteQuietly(staging);
                    }
                }
            }
            default -> throw new KilnException("unknown output type " + type, null, null);
        }
    }

    /** Docker's short form for RepoTags: {@code docker.io/library/x:1} → {@code x:1}. */
    static String familiar(Reference r) {
        String name = r.toString();
        if (name.startsWith("docker.io/library/")) {
            return name.substring("docker.io/library/".length());
        }
        return name.startsWith("docker.io/") ? name.substring("docker.io/".length()) : name;
    }
}
