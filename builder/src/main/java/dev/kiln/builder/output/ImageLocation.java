package dev.kiln.builder.output;

import dev.kiln.builder.registry.Reference;
import dev.kiln.oci.KilnException;
import java.nio.file.Path;

/**
 * Where an image lives, written as skopeo writes it: {@code docker://REF}, {@code oci:DIR[:REF]},
 * {@code oci-archive:FILE[:REF]}, {@code docker-archive:FILE[:REF]}, or kiln's own
 * {@code kiln:NAME}. A path ends at the first colon, as in skopeo.
 */
public sealed interface ImageLocation {

    /** An image in a registry. */
    record Registry(Reference ref) implements ImageLocation {
        @Override
        public String toString() {
            return "docker://" + ref;
        }
    }

    /** An OCI image layout directory; {@code ref} (a ref.name) may be null. */
    record OciDir(Path dir, String ref) implements ImageLocation {
        @Override
        public String toString() {
            return "oci:" + dir + (ref == null ? "" : ":" + ref);
        }
    }

    /** A tar of an OCI image layout; {@code ref} may be null. */
    record OciArchiveFile(Path file, String ref) implements ImageLocation {
        @Override
        public String toString() {
            return "oci-archive:" + file + (ref == null ? "" : ":" + ref);
        }
    }

    /** A {@code docker save} tar; {@code ref} (a RepoTag) may be null. */
    record DockerArchiveFile(Path file, String ref) implements ImageLocation {
        @Override
        public String toString() {
            return "docker-archive:" + file + (ref == null ? "" : ":" + ref);
        }
    }

    /** A named image in kiln's local store. */
    record Kiln(Reference name) implements ImageLocation {
        @Override
        public String toString() {
            return "kiln:" + name;
        }
    }

    /** Parses {@code TRANSPORT:DETAILS}; a bare reference is refused with a hint. */
    static ImageLocation parse(String text) {
        int colon = text.indexOf(':');
        String transport = colon > 0 ? text.substring(0, colon) : "";
        String rest = colon > 0 ? text.substring(colon + 1) : text;
        return switch (transport) {
            case "docker" -> {
                if (!rest.startsWith("//")) {
                    throw invalid(text, "docker transport references start with docker://");
                }
                yield new Registry(Reference.parse(rest.substring(2)));
            }
            case "kiln" -> new Kiln(Reference.parse(rest));
            case "oci" -> new OciDir(path(text, rest), ref(rest));
            case "oci-archive" -> new OciArchiveFile(path(text, rest), ref(rest));
            case "docker-archive" -> new DockerArchiveFile(path(text, rest), ref(rest));
            default -> throw invalid(text, "unknown transport '" + transport + "'");
        };
    }

    /** Like {@link #parse}, but a string without a known transport is a registry reference. */
    static ImageLocation parseOrReference(String text) {
        int colon = text.indexOf(':');
        String transport = colon > 0 ? text.substring(0, colon) : "";
        return switch (transport) {
            case "docker", "kiln", "oci", "oci-archive", "docker-archive" -> parse(text);
            default -> new Registry(Reference.parse(text));
        };
    }

    private static Path path(String text, String rest) {
        int colon = rest.indexOf(':');
        String p = colon >= 0 ? rest.substring(0, colon) : rest;
        if (p.isEmpty()) {
            throw invalid(text, "the path is empty");
        }
        return Path.of(p);
    }

    private static String ref(String rest) {
        int colon = rest.indexOf(':');
        return colon >= 0 && colon < rest.length() - 1 ? rest.substring(colon + 1) : null;
    }

    private static KilnException invalid(String text, String problem) {
        return new KilnException("invalid image location '" + text + "': " + problem,
                "use docker://REF, oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF] or kiln:NAME",
                null);
    }
}
